"""The activity feed: what people did, read from the event spine.

Only events with an actor (something a person did), newest first, a page at a time, without
events about records the viewer may not see. Sentences come from the CRM timeline's
`describe`, so an event reads the same here as on a record's timeline."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clarion.core.events.models import Event
from clarion.core.permissions import record_scope, visible_to
from clarion.crm import timeline
from clarion.crm.models import Company, Contact, Deal
from clarion.crm.objects import OBJECT_TYPES

PAGE_SIZE = 30

# The kinds the feed can be narrowed to; each is a filter on the event rows.
ACTIVITY_KINDS: dict[str, tuple[object, Q]] = {
    "created": (_("Records created"),
                Q(kind__in=["contact.created", "company.created", "deal.created"])),
    "stage": (_("Deals moved stage"), Q(kind="deal.stage_changed")),
    "won": (_("Deals won"), Q(kind="deal.stage_changed", data__outcome="won")),
    "lost": (_("Deals lost"), Q(kind="deal.stage_changed", data__outcome="lost")),
    # A task event is written once per linked record; the feed counts the primary copy.
    "tasks": (_("Tasks completed"), Q(kind="task.completed", data__primary=True)),
    "notes": (_("Notes, calls and meetings logged"),
              Q(kind__in=["note.created", "call.created", "call.logged", "meeting.created",
                          "meeting.logged"])),
    "comments": (_("Comments"), Q(kind="comment.created")),
}


@dataclass
class ActivityFilter:
    actor_ids: list[int] | None = None  # None: everyone
    kind: str = ""
    since: date | None = None
    until: date | None = None


@dataclass
class ActivityEntry:
    event: Event
    sentence: str
    subject_label: str
    subject_url: str


# Apps whose events need a finer rule than the subject's visibility (a task's events are
# copied onto each linked record) register `(viewer, events) -> events` here.
PAGE_FILTERS: list = []


def register_page_filter(page_filter) -> None:
    if page_filter not in PAGE_FILTERS:
        PAGE_FILTERS.append(page_filter)


def _guarded_models() -> list[type[models.Model]]:
    """Models other apps protect with owner-based visibility (tasks…), beyond the CRM's."""
    return [model for model in apps.get_models()
            if hasattr(model, "capability_area") and model not in (Contact, Company, Deal)
            and any(field.name == "owner" for field in model._meta.fields)]


def hidden_for(viewer) -> Q:
    """Events the viewer may not see: about a hidden CRM record (the timeline's rule), about
    another app's record they may not see, or carrying a contact they may not see."""
    hidden = timeline.hidden_subjects(viewer)
    for model in _guarded_models():
        if record_scope(viewer, model.capability_area, "view") == "all":
            continue
        hidden |= Q(subject_type=ContentType.objects.get_for_model(model)) & ~Q(
            subject_id__in=visible_to(viewer, model.objects.all()).values("pk"))
    if apps.is_installed("clarion.tasks"):
        from clarion.tasks.models import Task
        from clarion.tasks.queries import tasks_visible_to

        hidden |= Q(subject_type=ContentType.objects.get_for_model(Task)) & ~Q(
            subject_id__in=tasks_visible_to(viewer).values("pk"))
    if record_scope(viewer, Contact.capability_area, "view") != "all":
        hidden |= Q(contact_id__isnull=False) & ~Q(
            contact_id__in=visible_to(viewer, Contact.objects.all()).values("pk"))
    return hidden


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def feed_events(viewer, filters: ActivityFilter):
    events = Event.objects.filter(actor__isnull=False).exclude(hidden_for(viewer))
    # Task events are copied onto each linked record's timeline; the feed shows one of them.
    events = events.exclude(kind__startswith="task.", data__primary=False)
    if filters.actor_ids is not None:
        events = events.filter(actor_id__in=filters.actor_ids)
    if filters.kind in ACTIVITY_KINDS:
        events = events.filter(ACTIVITY_KINDS[filters.kind][1])
    if filters.since:
        events = events.filter(occurred_at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(occurred_at__lt=_day_start(filters.until + timedelta(days=1)))
    return events


def feed_page(viewer, filters: ActivityFilter, *, cursor: str = "",
              limit: int = PAGE_SIZE) -> tuple[list[ActivityEntry], str]:
    """One page of the feed, described, and the cursor of the next (older) page."""
    events = feed_events(viewer, filters).filter(
        *timeline._before(timeline.decode_cursor(cursor)))
    events = list(events.select_related("actor", "subject_type")
                  .order_by("-occurred_at", "-id")[:limit + 1])
    more = len(events) > limit
    events = events[:limit]
    next_cursor = timeline.encode_cursor(events[-1].cursor) if more else ""
    for page_filter in PAGE_FILTERS:
        events = page_filter(viewer, events)
    models.prefetch_related_objects(events, "subject")
    return describe_events(events), next_cursor


def describe_events(events: list[Event]) -> list[ActivityEntry]:
    labels: dict[str, timeline.FieldLabels] = {}
    entries = []
    for event in events:
        type_name = event.kind.split(".", 1)[0]
        object_type = OBJECT_TYPES.get(type_name) or OBJECT_TYPES["contact"]
        field_labels = labels.setdefault(object_type.name, timeline.FieldLabels(object_type))
        subject = event.subject
        url = getattr(subject, "get_absolute_url", None)
        entries.append(ActivityEntry(
            event, timeline.describe(event, field_labels).sentence,
            str(subject) if subject is not None else "", url() if url else ""))
    return entries
