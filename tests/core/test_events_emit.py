import pytest
from django.db import transaction

from clarion.core.events import NewEvent, emit, emit_many, on
from clarion.core.events.models import Event
from clarion.core.events.registry import registry
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
