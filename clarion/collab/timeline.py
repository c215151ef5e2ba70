"""Notes, calls, meetings and attachments on record timelines.

`activity_events` adds the events of every activity linked to a record to its timeline (a
note written on a contact and linked to its company shows on both); the describers turn
those events into entries with the sanitized text, from the snapshot the event carries.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clarion.accounts.models import display_name
from clarion.collab import richtext
from clarion.collab.models import Activity, CallDirection, CallOutcome

# The link table of each record type, and its column naming the record.
LINK_TABLES = {"contact": (Activity.contacts.through, "contact_id"),
               "company": (Activity.companies.through, "company_id"),
               "deal": (Activity.deals.through, "deal_id")}
# A record with more activities than this shows the newest this many on its timeline.
MAX_LINKED = 5000


def activity_events(record) -> Q | None:
    """The events of the activities linked to `record`. The ids are read first (an indexed
    lookup), so the timeline query stays an index scan on the events' subject."""
    table = LINK_TABLES.get(record._meta.model_name)
    if table is None:
        return None
    # A page reads the timeline twice (its kinds, its entries): look the ids up once.
    ids = getattr(record, "_collab_activity_ids", None)
    if ids is None:
        through, column = table
        ids = list(through.objects.filter(**{column: record.pk}).order_by("-activity_id")
                   .values_list("activity_id", flat=True)[:MAX_LINKED])
        record._collab_activity_ids = ids
    if not ids:
        return None
    return Q(subject_type=ContentType.objects.get_for_model(Activity), subject_id__in=ids)


def _headline(event) -> str:
    subject, _dot, action = event.kind.partition(".")
    data, actor = event.data or {}, display_name(event.actor)
    if action == "deleted":
        return {"note": _("%(actor)s deleted a note"), "call": _("%(actor)s deleted a call"),
                "meeting": _("%(actor)s deleted a meeting")}[subject] % {"actor": actor}
    if subject == "note":
        text = (_("%(actor)s wrote a note") if action == "created"
                else _("%(actor)s edited a note"))
        return text % {"actor": actor}
    if subject == "call":
        text = _("%(actor)s logged a call") if action == "logged" else _("%(actor)s edited a call")
        return text % {"actor": actor} + _call_details(data)
    text = (_("%(actor)s logged a meeting: %(title)s") if action == "logged"
            else _("%(actor)s edited the meeting %(title)s"))
    return text % {"actor": actor, "title": data.get("title", "")}


def _call_details(data: dict) -> str:
    parts = [str(dict(CallOutcome.choices).get(data.get("outcome", ""), ""))]
    if data.get("direction"):
        parts.append(str(dict(CallDirection.choices).get(data["direction"], "")))
    if data.get("duration_minutes"):
        parts.append(_("%(minutes)s min") % {"minutes": data["duration_minutes"]})
    details = ", ".join(part for part in parts if part)
    return f" ({details})" if details else ""


def describe_activity(event) -> SafeString:
    """One timeline entry: who did what, the text as written then, and a link to open it."""
    data = event.data or {}
    headline = _headline(event)
    activity_id = data.get("activity")
    body = richtext.inline(data.get("body", "")) if "body" in data else ""
    link = ""
    if activity_id and not event.kind.endswith(".deleted"):
        kind = {"note": _("the note"), "call": _("the call"),
                "meeting": _("the meeting")}.get(event.kind.partition(".")[0], "")
        link = format_html(
            ' <a class="btn-link text-xs" href="{}">{}<span class="visually-hidden"> {}</span>'
            '</a>', reverse("collab:activity_detail", args=[activity_id]), _("Open"), kind)
    if body:
        return format_html('{}:{}<span class="collab-entry-body">{}</span>', headline, link,
                           body)
    return format_html("{}{}", headline, link)


def describe_attachment(event) -> SafeString:
    data = event.data or {}
    text = (_("%(actor)s attached “%(name)s”") if event.kind == "attachment.added"
            else _("%(actor)s removed “%(name)s”"))
    return format_html("{}", text % {"actor": display_name(event.actor),
                                      "name": data.get("name", "")})


def describe_comment(event) -> SafeString:
    """A contact's timeline notes its comments (their text stays in the Comments card)."""
    text = {"comment.created": _("%(actor)s commented"),
            "comment.edited": _("%(actor)s edited a comment"),
            "comment.deleted": _("%(actor)s deleted a comment")}.get(
        event.kind, _("%(actor)s commented")) % {"actor": display_name(event.actor)}
    if event.kind == "comment.deleted" or not event.subject_id:
        return format_html("{}", text)
    return format_html('{} <a class="btn-link text-xs" href="#comment-{}">{}</a>', text,
                       event.subject_id, _("Show"))
