"""Reminders and overdue notices: sent by the scheduler's sweep once per task and due moment,
even when the sweep runs twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.core import scheduler
from clarion.notifications.models import Notification
from clarion.tasks import services
from clarion.tasks.models import Task
from clarion.tasks.reminders import send_reminders
from tests.tasks.conftest import in_hours

pytestmark = pytest.mark.django_db


def test_a_due_reminder_is_sent_once_even_when_the_sweep_runs_twice(ada):
    task = services.create_task(actor=ada, title="Call Grace", due_at=in_hours(0.5),
                                reminder="60")
    assert send_reminders() == {"reminders": 1, "overdue": 0}
    assert send_reminders() == {"reminders": 0, "overdue": 0}
    reminder = Notification.objects.get(kind="task.reminder")
    assert reminder.recipient == ada and "Call Grace" in reminder.title
    assert reminder.dedupe_key == f"task.reminder:{task.pk}:{task.remind_at.isoformat()}"


def test_a_reminder_not_yet_due_waits(ada):
    services.create_task(actor=ada, title="Call", due_at=in_hours(3), reminder="60")
    assert send_reminders()["reminders"] == 0
    assert send_reminders(now=in_hours(2.1))["reminders"] == 1


def test_an_overdue_notice_is_sent_once(ada):
    services.create_task(actor=ada, title="Late call", due_at=in_hours(-1))
    assert send_reminders()["overdue"] == 1
    assert send_reminders()["overdue"] == 0
    assert Notification.objects.get(kind="task.overdue").recipient == ada


def test_completed_and_queued_tasks_get_no_reminders(ada, queue):
    done = services.create_task(actor=ada, title="Done", due_at=in_hours(-1))
    services.complete_task(done, actor=ada)
    services.create_task(actor=ada, title="Queued", due_at=in_hours(-1), queue=queue,
                         assignee=None)
    assert send_reminders() == {"reminders": 0, "overdue": 0}


def test_a_snoozed_task_is_reminded_again_for_its_new_moment(ada):
    task = services.create_task(actor=ada, title="Call", due_at=in_hours(0.1), reminder="15")
    assert send_reminders()["reminders"] == 1
    services.snooze_task(Task.objects.get(pk=task.pk), actor=ada, until=in_hours(0.2))
    assert send_reminders()["reminders"] == 1
    assert Notification.objects.filter(kind="task.reminder").count() == 2


def test_a_reminder_at_the_due_time_comes_before_the_overdue_notice(ada):
    services.create_task(actor=ada, title="Call", due_at=in_hours(-0.01), reminder="0")
    assert send_reminders() == {"reminders": 1, "overdue": 0}
    assert send_reminders(now=in_hours(0.5)) == {"reminders": 0, "overdue": 1}


def test_the_dedupe_key_holds_even_if_a_claim_is_lost(ada):
    task = services.create_task(actor=ada, title="Call", due_at=in_hours(0.5), reminder="60")
    send_reminders()
    Task.objects.filter(pk=task.pk).update(reminder_sent_at=None)  # as if never claimed
    send_reminders()
    assert Notification.objects.filter(kind="task.reminder").count() == 1


def test_reminders_respect_the_recipients_preference(ada):
    from clarion.notifications.services import set_preference

    set_preference(user=ada, kind="task.overdue", channel="off")
    services.create_task(actor=ada, title="Late", due_at=in_hours(-1))
    send_reminders()
    assert not Notification.objects.exists()


def test_the_scheduler_runs_the_sweep_every_minute(ada, settings):
    services.create_task(actor=ada, title="Late", due_at=in_hours(-1))
    assert "task-reminders" in scheduler.JOBS
    assert scheduler.JOBS["task-reminders"].every == timedelta(minutes=1)
    assert "task-reminders" in scheduler.tick()  # the immediate backend runs it at once
    assert "task-reminders" not in scheduler.tick()  # not due again within the minute
    assert Notification.objects.filter(kind="task.overdue").count() == 1


def test_the_overdue_notice_is_sent_in_the_assignees_time_zone_wording(ada):
    services.create_task(actor=ada, title="Call", due_at=timezone.now() + timedelta(minutes=5),
                         reminder="15", time_zone="Asia/Shanghai")
    send_reminders()
    assert "(Asia/Shanghai)" in Notification.objects.get(kind="task.reminder").title


def test_reminders_arrive_in_the_app_and_by_email(ada, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    services.create_task(actor=ada, title="Call Grace", due_at=in_hours(0.5), reminder="60")
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    assert Notification.objects.get(kind="task.reminder").read_at is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ada.email]
    assert "Call Grace" in mailoutbox[0].subject + mailoutbox[0].body
