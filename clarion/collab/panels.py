"""The contexts of collaboration's cards: the composer (note / call / meeting) and the
Comments and Files panels. Record pages get them as RecordPanels (registered in `apps.py`);
any other page (a task) renders the same templates with the `collab` template tags."""

from django.urls import reverse
from django.utils import timezone

from clarion.collab import mentions, queries, uploads
from clarion.collab.models import CallOutcome
from clarion.collab.targets import is_admin, target_type_of


def composer_context(request, object_type, record) -> dict | None:
    """The Note / Call / Meeting composer above a record's timeline, for people who may log
    work on the record."""
    target_type = target_type_of(record)
    pinned = queries.pinned_notes(record)
    if not target_type.can_add(request.user, record):
        # People who may only read still see the pinned notes.
        return {"record": record, "pinned": pinned, "can_log": False} if pinned else None
    related = queries.related_records(request.user, record)
    return {
        "record": record, "type_name": target_type.name, "can_log": True,
        "action": reverse("collab:activity_create", args=[target_type.name, record.pk]),
        "related": [{"value": f"{other._meta.model_name}:{other.pk}", "label": str(other),
                     "type": other._meta.verbose_name,
                     # The company is the usual second home of a contact's notes.
                     "checked": other._meta.model_name == "company"} for other in related],
        "contacts": [other for other in related if other._meta.model_name == "contact"],
        "people": list(queries.mentionable_users().order_by("first_name", "last_name")[:200]),
        "outcomes": CallOutcome.choices,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "pinned": pinned,
    }


def record_composer(request, object_type, record) -> dict | None:
    return composer_context(request, object_type, record)


def comments_context(request, target) -> dict | None:
    target_type = target_type_of(target)
    user = request.user
    if not target_type.can_view(user, target):
        return None
    thread = queries.comment_thread(target)
    texts = [c.body for c in thread] + [r.body for c in thread for r in c.live_replies]
    people = mentions.people_by_id(texts)
    for comment in thread:
        _decorate(comment, user, people)
        for reply in comment.live_replies:
            _decorate(reply, user, people)
    return {
        "target": target, "type_name": target_type.name,
        "url": reverse("collab:comments", args=[target_type.name, target.pk]),
        "comments": thread, "can_comment": target_type.can_comment(user, target),
        "count": sum(1 + len(c.live_replies) for c in thread if c.deleted_at is None)
        + sum(len(c.live_replies) for c in thread if c.deleted_at is not None),
    }


def _decorate(comment, user, people: dict) -> None:
    comment.html = mentions.render_with_mentions(comment.body, people=people)
    comment.mine = comment.author_id == user.pk or is_admin(user)


def record_comments(request, object_type, record) -> dict | None:
    return comments_context(request, record)


def files_context(request, target) -> dict | None:
    target_type = target_type_of(target)
    if not target_type.can_view(request.user, target):
        return None
    attachments = list(queries.attachments_on(target)[:100])
    for attachment in attachments:
        attachment.mine = attachment.uploaded_by_id == request.user.pk or is_admin(
            request.user)
    return {
        "target": target, "type_name": target_type.name,
        "url": reverse("collab:files", args=[target_type.name, target.pk]),
        "attachments": attachments, "can_add": target_type.can_add(request.user, target),
        "max_mb": uploads.max_upload_bytes() // (1024 * 1024),
        "extensions": ", ".join(uploads.allowed_extensions()),
        "accept": ",".join(f".{ext}" for ext in uploads.allowed_extensions()),
    }


def record_files(request, object_type, record) -> dict | None:
    return files_context(request, record)
