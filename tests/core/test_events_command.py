import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.tasks.signals import task_enqueued
from django.test import override_settings

from clarion.core import scheduler
from clarion.core.events import emit
from clarion.core.events.models import Event
from clarion.core.events.registry import registry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def handlers():
    with registry.isolated():
        yield registry


def emit_unwoken():
    """An event whose wake-up was lost: the test transaction never commits."""
    with transaction.atomic():
        return emit("contact.created", contact_id=1)


def test_the_command_dispatches_what_is_pending():
    event = emit_unwoken()
    out = io.StringIO()

    call_command("dispatch_events", stdout=out)

    assert out.getvalue().strip() == "1 events dispatched"
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_the_scheduler_sweep_dispatches_events_whose_wake_up_was_lost():
    event = emit_unwoken()

    enqueued = scheduler.tick()

    assert "dispatch-events" in enqueued
    assert Event.objects.get(pk=event.pk).dispatched_at is not None


def test_the_sweep_enqueues_nothing_when_no_event_is_due():
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append(task_result.task.name)

    task_enqueued.connect(record)
    try:
        with override_settings(TASKS={"default": {
                "BACKEND": "django.tasks.backends.dummy.DummyBackend"}}):
            swept = scheduler.tick()
    finally:
        task_enqueued.disconnect(record)

    assert "dispatch-events" in swept
    assert "dispatch_events" not in enqueued
