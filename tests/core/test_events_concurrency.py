"""Concurrent claimers on PostgreSQL, each thread with its own connection. (On SQLite writers
are serialized; tests/core/test_events_dispatch.py covers that path.)"""

import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from clarion.core.events import on
from clarion.core.events.dispatch import LEASE, dispatch_pending
from clarion.core.events.models import Event
from clarion.core.events.registry import registry
from clarion.core.models import Heartbeat

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.fixture(autouse=True)
def handlers():
    with registry.isolated():
        yield registry


def record_effect(tag, event):
    # The OS thread id, not the thread's name: "Thread-123 (work)" grows with the number of
    # threads the suite has started and overflowed the 40-character column.
    worker = threading.get_native_id()
    Heartbeat.objects.create(component=f"{tag}:{event.id}:{worker}:{uuid.uuid4().hex[:8]}")


def effects(tag):
    rows = Heartbeat.objects.filter(component__startswith=f"{tag}:").values_list("component",
                                                                               flat=True)
    return [component.split(":") for component in rows]


def undispatched_events(count):
    """Events written without a wake-up, so only the claimers under test dispatch them."""
    return Event.objects.bulk_create([Event(kind="contact.created", contact_id=n)
                                      for n in range(count)])


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def run_in_threads(count, target):
    start = threading.Barrier(count)
    errors = []

    def work():
        try:
            start.wait()
            target()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, name=f"claimer{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_concurrent_claimers_never_process_the_same_event_twice(monkeypatch):
    from clarion.core.events import dispatch

    claims = []
    claim_batch = dispatch.claim_batch

    def recorded_claim(**kwargs):
        claimed = claim_batch(**kwargs)
        claims.extend(event.id for event in claimed)  # list.extend is atomic under the GIL
        return claimed

    def slow(event):
        record_effect("c", event)
        time.sleep(0.002)

    on("contact.created", name="slow")(slow)
    events = undispatched_events(300)
    monkeypatch.setattr(dispatch, "claim_batch", recorded_claim)

    run_in_threads(4, lambda: dispatch_pending(size=10))

    assert sorted(claims) == [event.id for event in events]  # SKIP LOCKED: no event claimed twice
    done = effects("c")
    assert Counter(int(event_id) for _, event_id, _, _ in done) == {e.id: 1 for e in events}
    assert len({worker for _, _, worker, _ in done}) > 1  # the claimers really overlapped
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


def test_a_claimer_taking_over_an_expired_lease_does_not_rerun_a_handler_still_running():
    release = threading.Event()
    running = threading.Event()

    def long_running(event):
        running.set()
        release.wait(timeout=30)
        record_effect("long", event)

    on("contact.created", name="long_running")(long_running)
    [event] = undispatched_events(1)
    claimed = {}

    def claim_as(name, now=None):
        claimed[name] = dispatch_pending(now=now)
        connections.close_all()

    first = threading.Thread(target=claim_as, args=("first",))
    first.start()
    assert running.wait(timeout=10)
    first_claimer = Event.objects.get(pk=event.pk).claimed_by

    # A second claimer believes the first is dead: its lease has run out.
    second = threading.Thread(target=claim_as,
                              args=("second", timezone.now() + LEASE + timedelta(seconds=1)))
    second.start()
    wait_until(lambda: Event.objects.get(pk=event.pk).claimed_by != first_claimer)
    time.sleep(0.2)  # the second now waits on the first's uncommitted "done" row
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert claimed["first"] >= 1 and claimed["second"] >= 1
    assert [int(event_id) for _, event_id, _, _ in effects("long")] == [event.id]
    event.refresh_from_db()
    assert event.dispatched_at is not None
