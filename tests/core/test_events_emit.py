import pytest
from django.core.cache import cache
from django.db import transaction
from django.tasks.signals import task_enqueued
from django.test import override_settings

from clarion.core.events import NewEvent, emit, emit_many, on
from clarion.core.events.dispatch import dispatch_pending
from clarion.core.events.models import Event
from clarion.core.events.registry import registry
from clarion.core.events.wakeup import WAKE_PENDING_KEY
from clarion.core.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def handlers():
    with registry.isolated():
        yield registry


class Rollback(Exception):
    pass


def test_an_event_is_rolled_back_with_the_change_it_records(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as wake_ups:
        with pytest.raises(Rollback), transaction.atomic():
            emit("contact.created", contact_id=7)
            raise Rollback

    assert not Event.objects.exists()
    assert wake_ups == []


def test_an_event_records_contact_subject_actor_and_data(admin_user):
    with transaction.atomic():
        event = emit("deal.stage_changed", contact_id=7, subject=admin_user, actor=admin_user,
                     data={"from": "new", "to": "won"})

    event.refresh_from_db()
    assert (event.kind, event.contact_id, event.subject, event.actor) == (
        "deal.stage_changed", 7, admin_user, admin_user)
    assert event.data == {"from": "new", "to": "won"}
    assert event.dispatched_at is None


def test_the_wake_up_after_commit_dispatches_the_event_to_its_handlers(
        django_capture_on_commit_callbacks):
    @on("contact.*")
    def count(event):
        Heartbeat.objects.create(component=f"emit:{event.id}")

    with django_capture_on_commit_callbacks(execute=True) as wake_ups:
        with transaction.atomic():
            event = emit("contact.created", contact_id=1)

    assert len(wake_ups) == 1
    assert Heartbeat.objects.filter(component=f"emit:{event.id}").exists()
    event.refresh_from_db()
    assert event.dispatched_at is not None


@pytest.fixture
def queued_wake_ups():
    """Tasks are queued, not run, and every enqueued task is listed."""
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append(task_result.task.name)

    cache.delete(WAKE_PENDING_KEY)
    task_enqueued.connect(record)
    dummy = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        yield enqueued
    task_enqueued.disconnect(record)
    cache.delete(WAKE_PENDING_KEY)


def test_events_committed_before_the_dispatcher_starts_share_one_wake_up(
        queued_wake_ups, django_capture_on_commit_callbacks):
    for contact_id in range(3):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            emit("contact.updated", contact_id=contact_id)
    assert queued_wake_ups == ["dispatch_events"]

    dispatch_pending()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emit("contact.updated", contact_id=4)

    assert queued_wake_ups == ["dispatch_events", "dispatch_events"]


def test_emit_many_writes_every_event_in_one_insert(django_assert_num_queries):
    new_events = [NewEvent("contact.imported", contact_id=n, data={"row": n}) for n in range(50)]

    with django_assert_num_queries(3), transaction.atomic():  # savepoint, insert, release
        created = emit_many(new_events)

    assert len(created) == 50
    assert sorted(Event.objects.values_list("contact_id", flat=True)) == list(range(50))


def test_an_event_kind_must_be_a_dotted_lowercase_name():
    with pytest.raises(ValueError, match="Contact Created"), transaction.atomic():
        emit("Contact Created")


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(transaction.TransactionManagementError, match="atomic"):
        emit("contact.created", contact_id=1)

    assert not Event.objects.exists()
