"""Task services: creating, completing (and the next occurrence of repeating tasks),
snoozing, reassigning, claiming, and the events they leave on record timelines."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clarion.core.events.models import Event
from clarion.notifications.models import Notification
from clarion.tasks import services
from clarion.tasks.models import Task
from tests.tasks.conftest import in_hours

pytestmark = pytest.mark.django_db


def test_a_task_without_assignee_or_queue_is_the_creators_own(ada):
    task = services.create_task(actor=ada, title="Call back")
    assert task.assignee == ada
    assert task.is_open


def test_a_blank_title_is_refused_with_a_message(ada):
    with pytest.raises(services.TaskError, match="title"):
        services.create_task(actor=ada, title="   ")


def test_a_naive_due_moment_is_refused(ada):
    with pytest.raises(services.TaskError):
        services.create_task(actor=ada, title="Call", due_at=datetime(2026, 1, 5, 9, 0))


def test_the_reminder_moment_follows_the_due_moment(ada):
    due = in_hours(5)
    task = services.create_task(actor=ada, title="Call", due_at=due, reminder="60")
    assert task.remind_at == due - timedelta(hours=1)


def test_assigning_a_task_to_someone_notifies_them(ada, bob):
    task = services.create_task(actor=ada, title="Send the quote", assignee=bob)
    notification = Notification.objects.get(recipient=bob, kind="task.assigned")
    assert "Send the quote" in notification.title
    assert notification.url == task.get_absolute_url()


def test_my_own_task_notifies_nobody(ada):
    services.create_task(actor=ada, title="Note to self")
    assert not Notification.objects.exists()


def test_reassigning_notifies_the_new_assignee_and_records_the_event(ada, bob):
    task = services.create_task(actor=ada, title="Renewal call")
    services.reassign_task(task, actor=ada, assignee=bob)
    assert Task.objects.get(pk=task.pk).assignee == bob
    assert Notification.objects.filter(recipient=bob, kind="task.assigned").count() == 1
    event = Event.objects.get(kind="task.reassigned")
    assert event.data["from_assignee_id"] == ada.pk
    assert event.data["assignee_id"] == bob.pk


def test_completing_twice_records_one_completion(ada):
    task = services.create_task(actor=ada, title="Call")
    services.complete_task(task, actor=ada)
    services.complete_task(Task.objects.get(pk=task.pk), actor=ada)
    assert Event.objects.filter(kind="task.completed").count() == 1


def test_completing_a_repeating_task_creates_the_next_occurrence_exactly_once(ada):
    zone = ZoneInfo("Europe/Berlin")
    due = datetime.combine(timezone.localdate(timezone=zone) + timedelta(days=1),
                           datetime.min.time().replace(hour=9), tzinfo=zone)
    task = services.create_task(actor=ada, title="Stand-up notes", due_at=due,
                                time_zone="Europe/Berlin", repeat="weekly")
    following = services.complete_task(task, actor=ada)
    assert following is not None
    assert following.due_at.astimezone(zone) == due + timedelta(weeks=1)
    assert following.previous == task
    # Completing again, or reopening and completing, creates no second occurrence.
    assert services.complete_task(Task.objects.get(pk=task.pk), actor=ada) is None
    services.reopen_task(Task.objects.get(pk=task.pk), actor=ada)
    assert services.complete_task(Task.objects.get(pk=task.pk), actor=ada) is None
    assert Task.objects.filter(previous=task).count() == 1
    assert Task.objects.count() == 2


def test_the_next_occurrence_keeps_the_local_time_across_daylight_saving(ada):
    zone = ZoneInfo("Europe/Berlin")
    # 9:00 on the Friday before the clocks go forward (29 March 2026), weekly.
    from clarion.tasks.schedule import next_due

    due = datetime(2026, 3, 27, 9, 0, tzinfo=zone)
    following = next_due(due, "weekly", 1, zone, now=datetime(2026, 3, 27, 10, 0, tzinfo=zone))
    assert following.astimezone(zone).hour == 9
    assert following.astimezone(zone).date().isoformat() == "2026-04-03"
    # In UTC the moment moved by an hour less than a week.
    utc = ZoneInfo("UTC")
    assert following.astimezone(utc) - due.astimezone(utc) == timedelta(weeks=1, hours=-1)


def test_monthly_repeats_keep_the_day_where_the_month_has_it(ada):
    from clarion.tasks.schedule import next_due

    zone = ZoneInfo("UTC")
    due = datetime(2026, 1, 31, 9, 0, tzinfo=zone)
    now = datetime(2026, 1, 31, 10, 0, tzinfo=zone)
    february = next_due(due, "monthly", 1, zone, now=now)
    assert february.date().isoformat() == "2026-02-28"


def test_a_late_completion_schedules_the_next_occurrence_in_the_future(ada):
    task = services.create_task(actor=ada, title="Daily check", due_at=in_hours(-72),
                                repeat="daily")
    following = services.complete_task(task, actor=ada)
    assert following.due_at > timezone.now()
    assert following.due_at < timezone.now() + timedelta(days=1)


def test_every_n_days(ada):
    due = in_hours(1)
    task = services.create_task(actor=ada, title="Water the plants", due_at=due,
                                repeat="days", repeat_interval=3)
    following = services.complete_task(task, actor=ada)
    assert following.due_at == due + timedelta(days=3)


def test_snoozing_moves_the_due_moment_and_rearms_the_reminders(ada):
    task = services.create_task(actor=ada, title="Call", due_at=in_hours(1), reminder="15")
    Task.objects.filter(pk=task.pk).update(reminder_sent_at=timezone.now(),
                                           overdue_notified_at=timezone.now())
    until = in_hours(24)
    task = services.snooze_task(Task.objects.get(pk=task.pk), actor=ada, until=until)
    assert task.due_at == until
    assert task.remind_at == until - timedelta(minutes=15)
    assert task.reminder_sent_at is None and task.overdue_notified_at is None


def test_snoozing_into_the_past_is_refused(ada):
    task = services.create_task(actor=ada, title="Call")
    with pytest.raises(services.TaskError):
        services.snooze_task(task, actor=ada, until=in_hours(-1))


def test_claiming_takes_a_queued_task_once(ada, bob, queue):
    task = services.create_task(actor=ada, title="New lead", queue=queue, assignee=None)
    assert task.assignee is None
    services.claim_task(task, actor=bob)
    with pytest.raises(services.AlreadyClaimed):
        services.claim_task(Task.objects.get(pk=task.pk), actor=ada)
    assert Task.objects.get(pk=task.pk).assignee == bob


def test_a_stale_edit_is_refused(ada):
    task = services.create_task(actor=ada, title="Call")
    services.update_task(task, actor=ada, values={"title": "Call Grace"})
    with pytest.raises(services.StaleTask):
        services.update_task(task, actor=ada, values={"title": "Call Ada"},
                             expected_version=1)


def test_task_events_land_on_every_linked_records_timeline(ada, contact, company):
    from clarion.crm.objects import get_object_type
    from clarion.crm.timeline import describe_all, timeline_page

    task = services.create_task(actor=ada, title="Call back", contacts=[contact],
                                companies=[company])
    services.complete_task(task, actor=ada)
    for record, type_name in ((contact, "contact"), (company, "company")):
        events, _older = timeline_page(record, viewer=ada)
        sentences = [entry.sentence for entry in
                     describe_all(events, get_object_type(type_name))]
        assert "Ada Lovelace completed the task “Call back”" in sentences
    completed = Event.objects.filter(kind="task.completed")
    assert completed.count() == 2
    assert [event.data["primary"] for event in completed.order_by("id")] == [True, False]


def test_deleting_leaves_a_deleted_event(ada, contact):
    task = services.create_task(actor=ada, title="Call", contacts=[contact])
    services.delete_task(task, actor=ada)
    assert not Task.objects.exists()
    assert Event.objects.get(kind="task.deleted").contact_id == contact.pk


def test_bulk_creation_makes_one_task_per_record_for_its_owner(ada, bob, contact):
    from clarion.crm.models import Contact
    from clarion.crm.services import create_record

    other = create_record(Contact, actor=bob, values={"owner": bob, "email": "x@example.com"})
    tasks = services.create_tasks_for_records(actor=ada, records=[contact, other],
                                              record_type="contact", title="Follow up")
    assert {(t.assignee_id, tuple(t.contacts.values_list("pk", flat=True))) for t in tasks} == {
        (ada.pk, (contact.pk,)), (bob.pk, (other.pk,))}
    assert Event.objects.filter(kind="task.created").count() == 2
    assert Notification.objects.filter(recipient=bob, kind="task.assigned").count() == 1


def test_the_activity_feed_shows_a_completion_once(ada, contact, company):
    from clarion.notifications.activity import ActivityFilter, feed_page

    task = services.create_task(actor=ada, title="Call back", contacts=[contact],
                                companies=[company])
    services.complete_task(task, actor=ada)
    for kind in ("", "tasks"):
        entries, _next = feed_page(ada, ActivityFilter(kind=kind))
        completed = [e for e in entries if e.event.kind == "task.completed"]
        assert len(completed) == 1, kind


def test_the_activity_feed_hides_tasks_the_viewer_may_not_see(ada, carol):
    from clarion.notifications.activity import ActivityFilter, feed_page

    task = services.create_task(actor=ada, title="Private errand")
    services.complete_task(task, actor=ada)
    entries, _next = feed_page(carol, ActivityFilter())
    assert not [e for e in entries if e.event.kind.startswith("task.")]
    mine, _next = feed_page(ada, ActivityFilter())
    assert [e for e in mine if e.event.kind == "task.completed"]
