"""Every write of collaboration: notes, calls and meetings; comments; attachments.

Each function is one transaction that changes the rows and emits the events describing the
change (`note.created`, `call.logged`, `comment.created`, `attachment.added` …). Activities'
events carry the first linked contact's id and a snapshot of what was written, so the
timelines of every linked record (see `timeline.py`) read as a history.

Permissions are the caller's job (views and the API check `targets`); services check only
what makes the data itself wrong.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clarion.accounts.models import display_name
from clarion.collab import mentions, richtext, uploads
from clarion.collab.models import (
    Activity,
    ActivityKind,
    ActivityRevision,
    Attachment,
    AttachmentKind,
    Comment,
    CommentRevision,
)
from clarion.collab.targets import target_type_of
from clarion.core.events import emit
from clarion.crm.models import Contact

BODY_MAX = 100_000
COMMENT_MAX = 10_000
EVENT_BODY_MAX = 4_000  # the snapshot in an event; the activity keeps the full text

# The event kind of each change, by activity kind.
EVENT_KINDS = {
    ActivityKind.NOTE: {"created": "note.created", "edited": "note.edited",
                        "deleted": "note.deleted"},
    ActivityKind.CALL: {"created": "call.logged", "edited": "call.edited",
                        "deleted": "call.deleted"},
    ActivityKind.MEETING: {"created": "meeting.logged", "edited": "meeting.edited",
                           "deleted": "meeting.deleted"},
}
# The fields an activity's edit may change (and its revision snapshot keeps).
ACTIVITY_FIELDS = ("body", "pinned", "outcome", "direction", "duration_minutes", "title",
                   "starts_at", "ends_at", "location", "occurred_at")


class InvalidInput(ValueError):
    """What was sent can't be saved; `field` names the input, the message says why."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass
class ActivityInput:
    """What a person logs; fields that don't apply to the kind are ignored."""

    body: str = ""
    pinned: bool = False
    outcome: str = ""
    direction: str = ""
    duration_minutes: int | None = None
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str = ""
    occurred_at: datetime | None = None
    attendee_users: list = field(default_factory=list)
    attendee_contacts: list = field(default_factory=list)


@dataclass
class Links:
    """The records an activity belongs to."""

    contacts: list = field(default_factory=list)
    companies: list = field(default_factory=list)
    deals: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contacts or self.companies or self.deals)

    @classmethod
    def of(cls, *records) -> "Links":
        links = cls()
        for record in records:
            getattr(links, {"contact": "contacts", "company": "companies",
                            "deal": "deals"}[record._meta.model_name]).append(record)
        return links


# --- Notes, calls and meetings ---------------------------------------------------------------

def _kind_fields(kind: str, values: ActivityInput) -> dict:
    """The columns of `kind` from `values`, validated; the others stay empty."""
    body = richtext.note_html(values.body)
    if len(body) > BODY_MAX:
        raise InvalidInput("body", _("The text is too long."))
    fields = {"body": body, "occurred_at": values.occurred_at or timezone.now()}
    if kind == ActivityKind.NOTE:
        if not richtext.plain_text(body):
            raise InvalidInput("body", _("Write something first."))
        fields["pinned"] = values.pinned
    elif kind == ActivityKind.CALL:
        if not values.outcome:
            raise InvalidInput("outcome", _("Choose the call's outcome."))
        fields.update(outcome=values.outcome, direction=values.direction or "outbound",
                      duration_minutes=values.duration_minutes)
    else:
        if not values.title.strip():
            raise InvalidInput("title", _("Give the meeting a title."))
        if values.starts_at and values.ends_at and values.ends_at < values.starts_at:
            raise InvalidInput("ends_at", _("The meeting can't end before it starts."))
        fields.update(title=values.title.strip(), starts_at=values.starts_at,
                      ends_at=values.ends_at, location=values.location.strip())
        if values.starts_at and not values.occurred_at:
            fields["occurred_at"] = values.starts_at
    return fields


def _snapshot(activity: Activity) -> dict:
    """What the activity says now, JSON-ready: for its events and revisions."""
    data = {"activity": activity.pk, "kind": activity.kind,
            "body": activity.body[:EVENT_BODY_MAX]}
    for name in ACTIVITY_FIELDS[1:]:
        value = getattr(activity, name)
        if value not in ("", None, False):
            data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def _first_contact_id(activity: Activity) -> int | None:
    return activity.contacts.order_by("pk").values_list("pk", flat=True).first()


def _emit_activity(activity: Activity, change: str, actor) -> None:
    emit(EVENT_KINDS[activity.kind][change], contact_id=_first_contact_id(activity),
         subject=activity, actor=actor, data=_snapshot(activity))


@transaction.atomic
def log_activity(*, actor, kind: str, links: Links, values: ActivityInput) -> Activity:
    """Write a note or log a call or meeting on the linked records (at least one)."""
    if kind not in ActivityKind.values:
        raise InvalidInput("kind", _("Choose a note, a call or a meeting."))
    if not links:
        raise InvalidInput("links", _("Link it to at least one contact, company or deal."))
    activity = Activity.objects.create(kind=kind, author=actor, **_kind_fields(kind, values))
    activity.contacts.set(_unique(links.contacts + values.attendee_contacts))
    activity.companies.set(_unique(links.companies))
    activity.deals.set(_unique(links.deals))
    if kind == ActivityKind.MEETING:
        activity.attendee_users.set(_unique(values.attendee_users))
        activity.attendee_contacts.set(_unique(values.attendee_contacts))
    _emit_activity(activity, "created", actor)
    return activity


def _unique(objects: list) -> list:
    return list({obj.pk: obj for obj in objects}.values())


@transaction.atomic
def edit_activity(activity: Activity, *, actor, values: ActivityInput) -> Activity:
    """Change what an activity says; the previous version is kept as a revision."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.is_deleted:
        raise InvalidInput("activity", _("This has been deleted."))
    before = _snapshot(activity)
    fields = _kind_fields(activity.kind, values)
    if values.occurred_at is None:
        fields.pop("occurred_at")  # editing the text doesn't move it on the timeline
    for name, value in fields.items():
        setattr(activity, name, value)
    attendees_before = set(activity.attendee_users.values_list("pk", flat=True))
    attendees = {user.pk for user in values.attendee_users}
    attendees_changed = activity.kind == ActivityKind.MEETING and attendees != attendees_before
    if _snapshot(activity) == before and not attendees_changed:
        return activity
    ActivityRevision.objects.create(activity=activity, snapshot=before, edited_by=actor)
    activity.updated_at = timezone.now()
    activity.save()
    if activity.kind == ActivityKind.MEETING:
        activity.attendee_users.set(_unique(values.attendee_users))
    _emit_activity(activity, "edited", actor)
    return activity


@transaction.atomic
def set_pinned(activity: Activity, *, actor, pinned: bool) -> Activity:
    values = ActivityInput(**{name: getattr(activity, name) for name in ACTIVITY_FIELDS
                              if name != "occurred_at"})
    values.pinned = pinned
    values.attendee_users = list(activity.attendee_users.all())
    return edit_activity(activity, actor=actor, values=values)


@transaction.atomic
def delete_activity(activity: Activity, *, actor) -> None:
    """Mark it deleted: it leaves the record pages, its history stays."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.is_deleted:
        return
    ActivityRevision.objects.create(activity=activity, snapshot=_snapshot(activity),
                                    edited_by=actor)
    activity.deleted_at = timezone.now()
    activity.pinned = False
    activity.save(update_fields=["deleted_at", "pinned"])
    emit(EVENT_KINDS[activity.kind]["deleted"], contact_id=_first_contact_id(activity),
         subject=activity, actor=actor, data={"activity": activity.pk, "kind": activity.kind})


# --- Comments ----------------------------------------------------------------------------

def _clean_comment(body: str) -> str:
    text = richtext.strip_tags(body)
    if not text:
        raise InvalidInput("body", _("Write a comment first."))
    if len(text) > COMMENT_MAX:
        raise InvalidInput("body", _("A comment can be at most %(max)s characters long.")
                           % {"max": COMMENT_MAX})
    return text


def _target_fields(target: models.Model) -> dict:
    from django.contrib.contenttypes.models import ContentType

    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


def _contact_of(target: models.Model) -> int | None:
    return target.pk if isinstance(target, Contact) else None


@transaction.atomic
def add_comment(*, actor, target: models.Model, body: str,
                parent: Comment | None = None) -> Comment:
    """Comment on `target` (or reply to `parent`, one level deep), and tell the people it
    mentions and the people the target concerns."""
    text = _clean_comment(body)
    if parent is not None:
        if (parent.target_type_id, parent.target_id) != (
                _target_fields(target)["target_type"].pk, target.pk) or parent.deleted_at:
            raise InvalidInput("parent", _("Reply to a comment on the same page."))
        parent = parent.parent or parent  # threads are one level deep
    comment = Comment.objects.create(author=actor, body=text, parent=parent,
                                     **_target_fields(target))
    emit("comment.created", contact_id=_contact_of(target), subject=comment, actor=actor,
         data={"target_type": target._meta.model_name, "target_id": target.pk,
               "parent": parent.pk if parent else None})
    mentioned = _notify_mentions(comment, target, actor, text)
    _notify_concerned(comment, target, actor, parent, exclude=mentioned)
    return comment


@transaction.atomic
def edit_comment(comment: Comment, *, actor, body: str) -> Comment:
    """Change a comment's text; the previous text is kept as a revision. Only people newly
    mentioned are notified."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.deleted_at:
        raise InvalidInput("body", _("This comment has been deleted."))
    text = _clean_comment(body)
    if text == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
    comment.body, comment.edited_at = text, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    target = comment.target
    emit("comment.edited", contact_id=_contact_of(target), subject=comment, actor=actor,
         data={"target_type": target._meta.model_name, "target_id": target.pk})
    _notify_mentions(comment, target, actor, text)
    return comment


@transaction.atomic
def delete_comment(comment: Comment, *, actor) -> None:
    """Remove a comment from the page; its text stays in its history."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.deleted_at:
        return
    CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    target = comment.target
    emit("comment.deleted", contact_id=_contact_of(target) if target else None,
         subject=comment, actor=actor,
         data={"target_type": comment.target_type.model, "target_id": comment.target_id})


def _comment_url(comment: Comment, target: models.Model) -> str:
    absolute = getattr(target, "get_absolute_url", None)
    return f"{absolute()}#comment-{comment.pk}" if absolute else ""


def _tell(recipient, kind: str, *, comment: Comment, target: models.Model, actor,
          title_visible, title_hidden) -> None:
    """Notify without revealing the target to someone who may not see it: the title then
    names no record, and the link opens to an access-denied page."""
    from clarion.collab.targets import may_view
    from clarion.notifications.services import notify

    visible = may_view(recipient, target)
    title = title_visible if visible else title_hidden
    notify(recipient, kind, actor=actor, target=target, url=_comment_url(comment, target),
           title=lambda: str(title) % {"actor": display_name(actor), "target": str(target)},
           dedupe_key=f"{kind}:{comment.pk}:{recipient.pk}")


def _notify_mentions(comment: Comment, target, actor, text: str) -> set[int]:
    people = [user for user in mentions.mentioned_users(text) if user.pk != actor.pk]
    for person in people:
        _tell(person, "comment.mentioned", comment=comment, target=target, actor=actor,
              title_visible=gettext_lazy("%(actor)s mentioned you on “%(target)s”"),
              title_hidden=gettext_lazy("%(actor)s mentioned you in a comment"))
    return {person.pk for person in people}


def _notify_concerned(comment: Comment, target, actor, parent: Comment | None,
                      exclude: set[int]) -> None:
    """The target's owner (or a task's assignee) and, for a reply, the thread's author."""
    people = list(target_type_of(target).people_concerned(target))
    if parent is not None and parent.author is not None:
        people.append(parent.author)
    told = set(exclude) | {actor.pk}
    for person in people:
        if person.pk in told:
            continue
        told.add(person.pk)
        _tell(person, "comment.reply", comment=comment, target=target, actor=actor,
              title_visible=gettext_lazy("%(actor)s commented on “%(target)s”"),
              title_hidden=gettext_lazy("%(actor)s commented on a record"))


# --- Attachments ---------------------------------------------------------------------------

def _emit_attachment(kind: str, attachment: Attachment, target, actor) -> None:
    emit(kind, contact_id=_contact_of(target), subject=attachment, actor=actor,
         data={"name": attachment.name, "attachment": attachment.pk,
               "attachment_kind": attachment.kind,
               "target_type": target._meta.model_name, "target_id": target.pk})


def attach_file(*, actor, target: models.Model, uploaded) -> Attachment:
    """Store an uploaded file on `target` after checking its size and type (nothing is
    stored when it is refused: UploadRefused says why)."""
    content_type = uploads.check_file(uploaded)
    name = (uploaded.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    stored = default_storage.save(f"attachments/{timezone.now():%Y/%m}/{name}", uploaded)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                kind=AttachmentKind.FILE, file=stored, name=name, size=uploaded.size,
                content_type=content_type, uploaded_by=actor, **_target_fields(target))
            _emit_attachment("attachment.added", attachment, target, actor)
    except Exception:
        default_storage.delete(stored)  # no orphan file when the row can't be written
        raise
    return attachment


def clean_link(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise InvalidInput("url", _("Enter a web address starting with http:// or "
                                    "https://.")) from None
    return url


@transaction.atomic
def attach_link(*, actor, target: models.Model, url: str, title: str = "") -> Attachment:
    """Attach a link (a shared drive document…). The address is never fetched."""
    url = clean_link(url)
    name = (title or "").strip()[:255] or url[:255]
    attachment = Attachment.objects.create(kind=AttachmentKind.LINK, url=url, name=name,
                                           uploaded_by=actor, **_target_fields(target))
    _emit_attachment("attachment.added", attachment, target, actor)
    return attachment


def delete_attachment(attachment: Attachment, *, actor) -> None:
    stored = attachment.file.name if attachment.file else ""
    with transaction.atomic():
        target = attachment.target
        if target is not None:
            _emit_attachment("attachment.removed", attachment, target, actor)
        attachment.delete()
    if stored:
        default_storage.delete(stored)
