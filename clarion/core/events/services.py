"""Writing events. Call `emit` inside the transaction.atomic() of the service that made the
change: the event commits or rolls back with it, and the dispatcher is woken after commit."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from clarion.core.events.models import Event
from clarion.core.events.wakeup import wake_dispatcher

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class NewEvent:
    """One event for `emit_many`; the fields mean what `emit`'s arguments mean."""

    kind: str
    contact_id: int | None = None
    subject: models.Model | None = None
    actor: "Actor" = None
    data: dict = field(default_factory=dict)
    occurred_at: datetime | None = None


def emit(kind: str, *, contact_id: int | None = None, subject: models.Model | None = None,
         actor: "Actor" = None, data: dict | None = None,
         occurred_at: datetime | None = None) -> Event:
    """Record that `kind` happened (to `contact_id`, about `subject`, done by `actor`)."""
    _require_transaction()
    event = Event.objects.create(**_event_fields(NewEvent(
        kind, contact_id, subject, actor, data or {}, occurred_at)))
    transaction.on_commit(wake_dispatcher, robust=True)
    return event


def emit_many(events: Iterable[NewEvent], *, batch_size: int = 1000) -> list[Event]:
    """Record many events with set-based inserts (imports, bulk edits), one wake-up in all."""
    _require_transaction()
    created = Event.objects.bulk_create([Event(**_event_fields(new)) for new in events],
                                        batch_size=batch_size)
    if created:
        transaction.on_commit(wake_dispatcher, robust=True)
    return created


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "emit() must run inside the transaction.atomic() block of the change it records, "
            "so the event commits or rolls back with it")


def _event_fields(new: NewEvent) -> dict:
    if not KIND_PATTERN.match(new.kind):
        raise ValueError(f"event kind {new.kind!r} is not a lowercase dotted name such as "
                         "'contact.created'")
    fields = {"kind": new.kind, "contact_id": new.contact_id, "data": new.data}
    if new.occurred_at is not None:
        fields["occurred_at"] = new.occurred_at
    if new.subject is not None:
        if not isinstance(new.subject.pk, int):
            raise ValueError(f"an event subject needs a saved object with an integer primary "
                             f"key; got {new.subject!r}")
        fields["subject_type"] = ContentType.objects.get_for_model(new.subject)
        fields["subject_id"] = new.subject.pk
    # An anonymous visitor (a public form, a tracking pixel) has no actor.
    if new.actor is not None and getattr(new.actor, "is_authenticated", False):
        fields["actor"] = new.actor
    return fields
