from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clarion.core.events import emit, on
from clarion.core.events.dispatch import MAX_ATTEMPTS, dispatch_pending, retry_delay
from clarion.core.events.models import HandlerRun
from clarion.core.events.registry import registry
from clarion.core.events.retention import KEEP_DONE_RUNS, prune_done_runs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def handlers():
    with registry.isolated():
        on("contact.*", name="fine")(lambda event: None)
        yield registry


def dispatched_event(kind, *, days_ago):
    with transaction.atomic():
        event = emit(kind)
    now = timezone.now() - timedelta(days=days_ago)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        dispatch_pending(now=now)
        now += retry_delay(attempt)
    return event


def test_done_marks_of_long_dispatched_events_are_pruned():
    dispatched_event("contact.created", days_ago=2)
    recent = dispatched_event("contact.created", days_ago=0)

    assert prune_done_runs(older_than=KEEP_DONE_RUNS) == 1

    assert list(HandlerRun.objects.values_list("event_id", flat=True)) == [recent.id]


def test_dead_letters_and_the_done_marks_beside_them_are_kept():
    def broken(event):
        raise RuntimeError("bug")

    on("contact.*", name="broken")(broken)
    event = dispatched_event("contact.created", days_ago=2)

    assert prune_done_runs(older_than=KEEP_DONE_RUNS) == 0

    assert dict(HandlerRun.objects.filter(event=event).values_list("handler", "status")) == {
        "fine": "done", "broken": "failed"}
