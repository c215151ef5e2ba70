"""What comments and attachments can hang on, and who may see or add to each.

A target type names a model ("contact", "task", "note" …) and answers three questions for a
user and an object: may they see it, may they comment on it, may they add activities and
files to it. Comments, attachments, their pages and their API all look targets up here, so
one rule decides access to everything hanging on a record. Record types defer to
`core.permissions`; tasks to `tasks.queries.tasks_visible_to`; notes, calls, meetings and
comments to the records they belong to.

Other apps add their own types with `register_target(TargetType(...))`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

from clarion.core.permissions import can, record_scope


@dataclass(frozen=True)
class TargetType:
    name: str                                   # "contact": URLs and the API's target_type
    model_label: str                            # "crm.contact"
    can_view: Callable[..., bool]               # (user, obj)
    can_comment: Callable[..., bool]            # (user, obj)
    can_add: Callable[..., bool]                # (user, obj): activities and attachments
    # (obj) -> the users a comment on it concerns (its owner, its assignee)
    people_concerned: Callable[..., list] = lambda obj: []
    scope_area: str = ""                        # API scopes: "<area>:read" / "<area>:write"

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)


TARGET_TYPES: dict[str, TargetType] = {}


def register_target(target_type: TargetType) -> None:
    TARGET_TYPES[target_type.name] = target_type


def get_target_type(name: str) -> TargetType:
    if name not in TARGET_TYPES:
        raise Http404
    return TARGET_TYPES[name]


def target_type_of(obj: models.Model) -> TargetType:
    label = obj._meta.label_lower
    for target_type in TARGET_TYPES.values():
        if target_type.model_label == label:
            return target_type
    raise LookupError(f"{label} is not a comment or attachment target")


def find_target(user, name: str, pk: int) -> tuple[TargetType, models.Model]:
    """The target if the user may see it; Http404 otherwise, so ids reveal nothing."""
    target_type = get_target_type(name)
    obj = target_type.model._default_manager.filter(pk=pk).first()
    if obj is None or not target_type.can_view(user, obj):
        raise Http404
    return target_type, obj


def target_of(content_type_id: int, object_id: int) -> models.Model | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return model._default_manager.filter(pk=object_id).first() if model else None


def may_view(user, obj: models.Model | None) -> bool:
    if obj is None:
        return False
    try:
        return target_type_of(obj).can_view(user, obj)
    except LookupError:
        return False


def is_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


# --- CRM records ---------------------------------------------------------------------------

def _record_view(user, record) -> bool:
    return can(user, "view", record)


def _record_comment(user, record) -> bool:
    return can(user, "comment", record)  # viewers, and guests on what was shared with them


def _record_add(user, record) -> bool:
    """Logging a call or attaching a file is work on the record: anyone who sees it and may
    edit records of its kind (read-only roles may not)."""
    return can(user, "view", record) and record_scope(
        user, type(record).capability_area, "edit") is not None


def _record_owner(record) -> list:
    return [record.owner] if getattr(record, "owner", None) else []


def _crm_target(name: str, area: str) -> TargetType:
    return TargetType(name, f"crm.{name}", _record_view, _record_comment, _record_add,
                      _record_owner, area)


# --- Tasks --------------------------------------------------------------------------------

def _task_view(user, task) -> bool:
    from clarion.tasks.queries import tasks_visible_to

    return tasks_visible_to(user).filter(pk=task.pk).exists()


def _task_people(task) -> list:
    return [task.assignee] if task.assignee_id else []


# --- Notes, calls, meetings and comments: as visible as what they belong to ----------------

def _activity_view(user, activity) -> bool:
    from clarion.collab.queries import activity_visible

    return activity_visible(user, activity)


def _activity_add(user, activity) -> bool:
    return activity.deleted_at is None and (activity.author_id == user.pk or is_admin(user))


def _comment_view(user, comment) -> bool:
    return comment.deleted_at is None and may_view(user, comment.target)


def _comment_add(user, comment) -> bool:
    return comment.deleted_at is None and (comment.author_id == user.pk or is_admin(user))


def register_builtin_targets() -> None:
    for name, area in (("contact", "contacts"), ("company", "companies"), ("deal", "deals")):
        register_target(_crm_target(name, area))
    if apps.is_installed("clarion.tasks"):
        register_target(TargetType("task", "tasks.task", _task_view, _task_view, _task_view,
                                   _task_people, "tasks"))
    register_target(TargetType("activity", "collab.activity", _activity_view, _activity_view,
                               _activity_add, lambda activity: [activity.author] if
                               activity.author_id else []))
    register_target(TargetType("comment", "collab.comment", _comment_view, _comment_view,
                               _comment_add))
