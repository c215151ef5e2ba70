"""The claimer's guarantees: each matching handler's effect happens exactly once per event,
whatever crashes, re-deliveries and failures happen on the way."""

import logging
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clarion.core.events import emit, on
from clarion.core.events.dispatch import (
    LEASE,
    MAX_ATTEMPTS,
    claim_batch,
    dispatch_pending,
    retry_delay,
    retry_failed_runs,
)
from clarion.core.events.models import Event, HandlerRun
from clarion.core.events.registry import registry
from clarion.core.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def handlers():
    with registry.isolated():
        yield registry


def record_effect(tag, event):
    """A handler's database effect: one new row per run, so a repeated run shows up."""
    Heartbeat.objects.create(component=f"{tag}:{event.id}:{uuid.uuid4().hex[:8]}")


def effects(tag):
    return Counter(int(component.split(":")[1]) for component in
                   Heartbeat.objects.filter(component__startswith=f"{tag}:")
                   .values_list("component", flat=True))


def emit_event(kind="contact.created", **fields):
    with transaction.atomic():
        return emit(kind, **fields)


class Crash(BaseException):
    """The process dies (killed worker, lost machine): nothing after it runs."""


def test_each_matching_handler_runs_once_per_event():
    on("contact.*", name="contact_handler")(lambda event: record_effect("contact", event))
    on("contact.created", name="created_handler")(lambda event: record_effect("created", event))
    on("deal.*", name="deal_handler")(lambda event: record_effect("deal", event))
    created, updated = emit_event("contact.created"), emit_event("contact.updated")

    assert dispatch_pending() == 2

    assert effects("contact") == {created.id: 1, updated.id: 1}
    assert effects("created") == {created.id: 1}
    assert effects("deal") == {}
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 0


def test_an_event_without_handlers_is_marked_dispatched():
    event = emit_event("note.added")

    dispatch_pending()

    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_dispatching_again_does_not_repeat_a_handler():
    on("contact.*", name="once")(lambda event: record_effect("once", event))
    event = emit_event()
    dispatch_pending()

    later = timezone.now() + LEASE * 2
    Event.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if never marked
    assert dispatch_pending(now=later) == 1

    assert effects("once") == {event.id: 1}


def test_a_second_claimer_gets_nothing_while_the_first_holds_the_lease():
    event = emit_event()
    now = timezone.now()

    first = claim_batch(claimer="first", now=now)
    second = claim_batch(claimer="second", now=now + LEASE - timedelta(seconds=1))
    after_lease = claim_batch(claimer="third", now=now + LEASE + timedelta(seconds=1))

    assert [e.id for e in first] == [event.id]
    assert second == []
    assert [e.id for e in after_lease] == [event.id]


def test_a_crash_mid_dispatch_neither_loses_nor_repeats_a_handler_effect():
    crash_once = [True]

    def dies_first_time(event):
        record_effect("second", event)
        if crash_once:
            crash_once.pop()
            raise Crash

    on("contact.created", name="first")(lambda event: record_effect("first", event))
    on("contact.created", name="second")(dies_first_time)
    on("contact.created", name="third")(lambda event: record_effect("third", event))
    event = emit_event()
    now = timezone.now()

    with pytest.raises(Crash):
        dispatch_pending(now=now)
    assert effects("first") == {event.id: 1}
    assert effects("second") == {}  # rolled back with the crash
    assert effects("third") == {}

    assert dispatch_pending(now=now + timedelta(seconds=1)) == 0  # still leased to the dead one
    assert dispatch_pending(now=now + LEASE + timedelta(seconds=1)) == 1

    assert effects("first") == {event.id: 1}
    assert effects("second") == {event.id: 1}
    assert effects("third") == {event.id: 1}
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_a_crash_after_the_handlers_but_before_marking_dispatched_repeats_nothing(monkeypatch):
    from clarion.core.events import dispatch

    on("contact.created", name="only")(lambda event: record_effect("only", event))
    event = emit_event()
    now = timezone.now()

    def crash(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(dispatch, "_release", crash)
        with pytest.raises(Crash):
            dispatch_pending(now=now)
    dispatch_pending(now=now + LEASE + timedelta(seconds=1))

    assert effects("only") == {event.id: 1}
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_a_crash_while_marking_a_handler_done_leaves_no_effect_to_be_repeated(monkeypatch):
    from clarion.core.events import dispatch

    on("contact.created", name="only")(lambda event: record_effect("only", event))
    event = emit_event()
    now = timezone.now()
    mark_done = dispatch._mark_done

    def dies_while_marking(*args, **kwargs):
        mark_done(*args, **kwargs)
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(dispatch, "_mark_done", dies_while_marking)
        with pytest.raises(Crash):
            dispatch_pending(now=now)
    dispatch_pending(now=now + LEASE + timedelta(seconds=1))

    assert effects("only") == {event.id: 1}


def test_a_failing_handler_is_retried_with_backoff_while_the_others_effects_stand():
    failures = [ValueError("mail server down")]

    def flaky(event):
        if failures:
            raise failures.pop()
        record_effect("flaky", event)

    on("contact.created", name="steady")(lambda event: record_effect("steady", event))
    on("contact.created", name="flaky")(flaky)
    event = emit_event()
    now = timezone.now()

    dispatch_pending(now=now)
    run = HandlerRun.objects.get(handler="flaky")
    assert (run.status, run.attempts, run.next_retry_at) == ("retrying", 1, now + retry_delay(1))
    assert "mail server down" in run.last_error
    assert effects("steady") == {event.id: 1}

    assert dispatch_pending(now=now + retry_delay(1) - timedelta(seconds=1)) == 0
    assert dispatch_pending(now=now + retry_delay(1)) == 1

    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    assert effects("flaky") == {event.id: 1}
    assert effects("steady") == {event.id: 1}
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_retry_delays_grow_exponentially_up_to_a_cap():
    delays = [retry_delay(attempt) for attempt in range(1, 12)]

    assert delays[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(hours=1)


def test_a_handler_that_keeps_failing_is_dead_lettered_after_max_attempts(caplog):
    def broken(event):
        record_effect("broken", event)  # rolled back every time
        raise RuntimeError("template missing")

    on("contact.created", name="steady")(lambda event: record_effect("steady", event))
    on("contact.created", name="broken")(broken)
    event = emit_event()
    now = timezone.now()

    with caplog.at_level(logging.WARNING, logger="clarion.core.events.dispatch"):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert dispatch_pending(now=now) == 1
            now += retry_delay(attempt)
        assert dispatch_pending(now=now + timedelta(days=1)) == 0  # no endless retrying

    run = HandlerRun.objects.get(handler="broken")
    assert (run.status, run.attempts, run.next_retry_at) == ("failed", MAX_ATTEMPTS, None)
    assert "template missing" in run.last_error
    assert effects("broken") == {}
    assert effects("steady") == {event.id: 1}
    event.refresh_from_db()
    assert event.dispatched_at is not None
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "broken" in errors[0].getMessage()


def queries_to_dispatch(count):
    with transaction.atomic():
        for n in range(count):
            emit("contact.created", contact_id=n)
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        assert dispatch_pending() == count
    return len(queries)


def test_dispatching_a_batch_without_handlers_takes_the_same_queries_for_any_size():
    assert queries_to_dispatch(5) == queries_to_dispatch(50)


def test_dispatching_costs_a_fixed_few_queries_per_handler_run():
    on("contact.created", name="no_op")(lambda event: None)

    small, large = queries_to_dispatch(5), queries_to_dispatch(50)

    # Per handler run: its transaction (a savepoint here) and the insert of its "done" row.
    assert large - small <= 3 * 45


def test_a_dead_lettered_handler_can_be_retried_once_fixed_without_repeating_the_others():
    broken = [True]

    def fixed_later(event):
        if broken:
            raise RuntimeError("bug")
        record_effect("fixed", event)

    on("contact.created", name="steady")(lambda event: record_effect("steady", event))
    on("contact.created", name="fixed_later")(fixed_later)
    event = emit_event()
    now = timezone.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        dispatch_pending(now=now)
        now += retry_delay(attempt)
    broken.clear()

    assert retry_failed_runs(handler="fixed_later") == 1
    dispatch_pending(now=now)

    assert effects("fixed") == {event.id: 1}
    assert effects("steady") == {event.id: 1}
    assert HandlerRun.objects.get(handler="fixed_later").status == "done"


def test_a_slow_batch_hands_back_its_unstarted_events_before_the_lease_runs_out(monkeypatch):
    from clarion.core.events import dispatch

    def slow(event):
        record_effect("slow", event)
        time.sleep(0.2)

    on("contact.created", name="slow")(slow)
    first, second, third = emit_event(), emit_event(), emit_event()
    monkeypatch.setattr(dispatch, "LEASE", timedelta(seconds=0.2))  # hands back after 0.1 s

    assert dispatch.dispatch_batch(size=3) == 3

    assert effects("slow") == {first.id: 1}
    handed_back = Event.objects.filter(id__in=[second.id, third.id])
    assert list(handed_back.values_list("dispatched_at", "claimed_until")) == [(None, None)] * 2
    dispatch_pending()
    assert effects("slow") == {first.id: 1, second.id: 1, third.id: 1}


@pytest.mark.django_db(transaction=True)
def test_events_emitted_by_a_handler_are_dispatched_in_the_same_run():
    def welcome(event):
        with transaction.atomic():
            emit("contact.welcomed", contact_id=event.contact_id)

    on("contact.created", name="welcome")(welcome)
    on("contact.welcomed", name="welcomed")(lambda event: record_effect("welcomed", event))

    created = emit_event("contact.created", contact_id=5)  # commits; tasks run immediately

    [welcomed] = Event.objects.filter(kind="contact.welcomed")
    assert effects("welcomed") == {welcomed.id: 1}
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert created.id < welcomed.id
