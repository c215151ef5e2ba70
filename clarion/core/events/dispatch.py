"""The claimer: hands undispatched events to their handlers, surviving crashes.

1. Claim a batch in a short transaction (`FOR UPDATE SKIP LOCKED` where the database has it;
   SQLite serializes writers instead), giving each event a lease, and commit.
2. For each event and matching handler, in one transaction: insert the unique
   HandlerRun(event, handler) "done" row, then run the handler. Effect and mark commit
   together; a second claimer trying the same pair blocks on, or fails, the unique row and
   skips it. So a re-delivery runs only what has not finished.
3. A handler that raises is rolled back and retried with exponential backoff; after
   MAX_ATTEMPTS it is marked failed (dead letter) and logged at ERROR.
4. Events whose handlers have all finished get `dispatched_at`; the others wait for their
   earliest retry. If the claimer dies, the lease expires and another claimer takes over.
"""

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clarion.core.events.models import Event, HandlerRun
from clarion.core.events.registry import Handler, registry
from clarion.core.events.wakeup import clear_pending_wake, wake_dispatcher

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)

_local = threading.local()


@dataclass(frozen=True)
class Outcome:
    """What became of one (event, handler) pair in this pass. `retry_at` is None when the pair
    is settled (done, or given up on)."""

    retry_at: datetime | None = None


SETTLED = Outcome()


class _AlreadyTaken(Exception):
    """Another claimer wrote this pair's HandlerRun first."""


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: 30 s, 1 min, 2 min, … capped at an hour."""
    return min(RETRY_BASE * 2 ** (attempts - 1), RETRY_CAP)


def new_claimer_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def due_events(*, now: datetime):
    """Undispatched events no claimer holds and no retry holds back, oldest first."""
    return (Event.objects.filter(dispatched_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("id"))


def claim_batch(*, claimer: str, now: datetime, size: int = BATCH_SIZE,
                lease: timedelta = LEASE) -> list[Event]:
    """Lease up to `size` due, undispatched events to `claimer`, oldest first."""
    with transaction.atomic():
        due = due_events(now=now)
        features = transaction.get_connection().features
        if features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True,
                                        no_key=features.has_select_for_no_key_update)
        events = list(due[:size])
        if events:
            Event.objects.filter(id__in=[event.id for event in events]).update(
                claimed_until=now + lease, claimed_by=claimer)
    return events


def dispatch_batch(*, now: datetime | None = None, size: int = BATCH_SIZE) -> int:
    """Claim one batch and run its handlers; returns how many events were claimed."""
    now = now or timezone.now()
    claimer = new_claimer_id()
    events = claim_batch(claimer=claimer, now=now, size=size)
    if not events:
        return 0
    # Slow handlers must not outlast the lease: past half of it, the rest of the batch is
    # handed back for any claimer to take at once (after the first event, so work progresses).
    deadline = time.monotonic() + LEASE.total_seconds() / 2
    runs = _runs_by_pair(events)
    settled, held_until = [], {}
    for position, event in enumerate(events):
        if position and time.monotonic() > deadline:
            held_until.setdefault(None, []).append(event.id)
            continue
        retry_at = _dispatch_event(event, runs, now=now)
        if retry_at is None:
            settled.append(event.id)
        else:
            held_until.setdefault(retry_at, []).append(event.id)
    _release(claimer, settled, held_until, now=now)
    return len(events)


def dispatch_pending(*, now: datetime | None = None, size: int = BATCH_SIZE) -> int:
    """Dispatch batches until none is due; returns how many events were claimed.

    A handler that emits wakes the dispatcher after its commit; with an immediate task
    backend that wake-up arrives in this same thread, and this loop picks the new events
    up in its next batch instead of recursing.
    """
    clear_pending_wake()
    if getattr(_local, "running", False):
        return 0
    _local.running = True
    try:
        total = 0
        while claimed := dispatch_batch(now=now, size=size):
            total += claimed
        return total
    finally:
        _local.running = False


def retry_failed_runs(*, handler: str | None = None) -> int:
    """Give dead-lettered handler runs (all, or one handler's) a fresh set of attempts, once
    their cause is fixed; their events are dispatched again to those handlers only."""
    failed = HandlerRun.objects.filter(status=HandlerRun.Status.FAILED)
    if handler is not None:
        failed = failed.filter(handler=handler)
    with transaction.atomic():
        pairs = list(failed.values_list("id", "event_id"))
        HandlerRun.objects.filter(id__in=[run_id for run_id, _ in pairs]).update(
            status=HandlerRun.Status.RETRYING, attempts=0, next_retry_at=None, finished_at=None)
        Event.objects.filter(id__in={event_id for _, event_id in pairs}).update(
            dispatched_at=None, claimed_until=None, claimed_by="")
        if pairs:
            transaction.on_commit(wake_dispatcher, robust=True)
    return len(pairs)


def _runs_by_pair(events: list[Event]) -> dict[tuple[int, str], HandlerRun]:
    if not any(registry.handlers_for(event.kind) for event in events):
        return {}
    runs = HandlerRun.objects.filter(event_id__in=[event.id for event in events])
    return {(run.event_id, run.handler): run for run in runs}


def _dispatch_event(event: Event, runs: dict, *, now: datetime) -> datetime | None:
    """Run the event's unfinished handlers; None when all have finished, else when to retry."""
    retry_times = []
    for handler in registry.handlers_for(event.kind):
        outcome = _dispatch_pair(event, handler, runs.get((event.id, handler.name)), now=now)
        if outcome.retry_at is not None:
            retry_times.append(outcome.retry_at)
    return min(retry_times, default=None)


def _dispatch_pair(event: Event, handler: Handler, run: HandlerRun | None, *,
                   now: datetime) -> Outcome:
    if run is not None and run.status != HandlerRun.Status.RETRYING:
        return SETTLED
    if run is not None and run.next_retry_at and run.next_retry_at > now:
        return Outcome(retry_at=run.next_retry_at)
    try:
        with transaction.atomic():
            _mark_done(event, handler, run, now=now)
            handler.func(event)
    except _AlreadyTaken:
        # Another claimer got there first; look again on the next pass rather than guess.
        return Outcome(retry_at=now)
    except Exception as error:
        return _record_failure(event, handler, run, error, now=now)
    return SETTLED


def _mark_done(event: Event, handler: Handler, run: HandlerRun | None, *,
               now: datetime) -> None:
    """Write the pair's "done" row first in the handler's transaction: it holds the unique
    key (or the row lock) for the handler's duration, so no other claimer runs it too."""
    if run is None:
        try:
            HandlerRun.objects.create(event=event, handler=handler.name,
                                      status=HandlerRun.Status.DONE, attempts=1,
                                      finished_at=now)
        except IntegrityError:
            raise _AlreadyTaken from None
        return
    updated = HandlerRun.objects.filter(
        pk=run.pk, status=HandlerRun.Status.RETRYING, attempts=run.attempts,
    ).update(status=HandlerRun.Status.DONE, attempts=run.attempts + 1, next_retry_at=None,
             finished_at=now)
    if not updated:
        raise _AlreadyTaken


def _record_failure(event: Event, handler: Handler, run: HandlerRun | None,
                    error: Exception, *, now: datetime) -> Outcome:
    attempts = (run.attempts if run else 0) + 1
    gave_up = attempts >= MAX_ATTEMPTS
    fields = {
        "status": HandlerRun.Status.FAILED if gave_up else HandlerRun.Status.RETRYING,
        "attempts": attempts,
        "last_error": "".join(traceback.format_exception(error))[-10_000:],
        "next_retry_at": None if gave_up else now + retry_delay(attempts),
        "finished_at": now if gave_up else None,
    }
    try:
        with transaction.atomic():
            if run is None:
                HandlerRun.objects.create(event=event, handler=handler.name, **fields)
            elif not HandlerRun.objects.filter(pk=run.pk, status=HandlerRun.Status.RETRYING,
                                               attempts=run.attempts).update(**fields):
                raise _AlreadyTaken
    except (IntegrityError, _AlreadyTaken):
        return Outcome(retry_at=now)
    if gave_up:
        logger.error("Event handler %s gave up on event %s (%s) after %d attempts: %r",
                     handler.name, event.id, event.kind, attempts, error, exc_info=error)
        return SETTLED
    logger.warning("Event handler %s failed on event %s (%s), attempt %d of %d; retrying at %s",
                   handler.name, event.id, event.kind, attempts, MAX_ATTEMPTS,
                   fields["next_retry_at"].isoformat(), exc_info=error)
    return Outcome(retry_at=fields["next_retry_at"])


def _release(claimer: str, settled: list[int], held_until: dict[datetime | None, list[int]],
             *, now: datetime) -> None:
    """Mark settled events dispatched and hold the others back until their next retry (None:
    claimable now) — only those still leased to this claimer: if the lease ran out, the new
    holder decides."""
    mine = Event.objects.filter(claimed_by=claimer)
    if settled:
        mine.filter(id__in=settled).update(dispatched_at=now, claimed_until=None,
                                           claimed_by="")
    for until, ids in held_until.items():
        mine.filter(id__in=ids).update(claimed_until=until, claimed_by="")
