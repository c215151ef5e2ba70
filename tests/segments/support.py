"""Helpers shared by the segment tests: contacts and behaviour events made through the
services, and the event dispatcher run to quiescence."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clarion.core.events import emit
from clarion.core.events.dispatch import dispatch_pending
from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.segments.models import Segment


def make_contact(actor=None, **values) -> Contact:
    values.setdefault("email", f"person{Contact.objects.count() + 1}@example.org")
    return create_record(Contact, actor=actor, values=values, link_by_domain=False)


def did(contact, kind: str = "page.viewed", *, days_ago: float = 0, **data) -> Event:
    """Record that `contact` did `kind` `days_ago` days ago, with `data`."""
    with transaction.atomic():
        return emit(kind, contact_id=contact.pk, data=data,
                    occurred_at=timezone.now() - timedelta(days=days_ago))


def settle() -> int:
    """Run every event handler until no event is waiting (the incremental path)."""
    return dispatch_pending()


def member_ids(segment: Segment) -> set[int]:
    return set(segment.memberships.values_list("contact_id", flat=True))


def events_of(kind: str, segment: Segment) -> list[Event]:
    return list(Event.objects.filter(kind=kind, subject_id=segment.pk,
                                     subject_type__model="segment").order_by("id"))
