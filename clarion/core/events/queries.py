"""Reading events for timelines: newest first, paginated by keyset (occurred_at, id), so a
deep page costs what the first one does."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from clarion.core.events.models import Event

EventCursor = tuple[datetime, int]


def events_for_contact(contact_id: int, *, kinds: list[str] | None = None,
                       before: EventCursor | None = None, limit: int = 50) -> list[Event]:
    """The contact's events, newest first; pass the last one's `cursor` as `before` for more."""
    return _page(Event.objects.filter(contact_id=contact_id), kinds=kinds, before=before,
                 limit=limit)


def events_for_subject(obj: models.Model, *, kinds: list[str] | None = None,
                       before: EventCursor | None = None, limit: int = 50) -> list[Event]:
    """The events about one record (a deal, a company, …), newest first."""
    subject_type = ContentType.objects.get_for_model(obj)
    return _page(Event.objects.filter(subject_type=subject_type, subject_id=obj.pk),
                 kinds=kinds, before=before, limit=limit)


def _page(events: QuerySet, *, kinds: list[str] | None, before: EventCursor | None,
          limit: int) -> list[Event]:
    if kinds:
        events = events.filter(kind__in=kinds)
    if before is not None:
        occurred_at, event_id = before
        events = events.filter(Q(occurred_at__lt=occurred_at)
                               | Q(occurred_at=occurred_at, id__lt=event_id))
    # Subjects are not fetched here; `prefetch_related_objects(events, "subject")` loads
    # them with one query per subject type when a timeline shows them.
    events = events.select_related("actor", "subject_type").order_by("-occurred_at", "-id")
    return list(events[:limit])
