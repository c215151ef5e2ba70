"""Running at the same time on PostgreSQL (each thread with its own connection): reminder
sweeps notify every assignee exactly once, and completions of a repeating task create one
next occurrence. SQLite serializes writers instead."""

import threading

import pytest
from django.db import connection, connections

from clarion.notifications.models import Notification
from clarion.tasks import services
from clarion.tasks.reminders import send_reminders
from tests.tasks.conftest import in_hours

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_in_threads(count, target):
    start = threading.Barrier(count)
    errors, results = [], []

    def work():
        try:
            start.wait()
            results.append(target())
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_concurrent_sweeps_send_each_reminder_and_notice_once(ada, bob):
    for number in range(40):
        services.create_task(actor=ada, title=f"Soon {number}", assignee=bob,
                             due_at=in_hours(0.5), reminder="60", notify_assignee=False)
        services.create_task(actor=ada, title=f"Late {number}", assignee=bob,
                             due_at=in_hours(-1), notify_assignee=False)
    results = run_in_threads(4, send_reminders)
    assert sum(r["reminders"] for r in results) == 40
    assert sum(r["overdue"] for r in results) == 40
    assert Notification.objects.filter(kind="task.reminder").count() == 40
    assert Notification.objects.filter(kind="task.overdue").count() == 40


def test_concurrent_completions_create_one_next_occurrence(ada):
    from clarion.core.events.models import Event
    from clarion.tasks.models import Task

    task = services.create_task(actor=ada, title="Daily check", due_at=in_hours(1),
                                repeat="daily")

    def complete():
        return services.complete_task(Task.objects.get(pk=task.pk), actor=ada)

    results = run_in_threads(4, complete)
    assert len([following for following in results if following is not None]) == 1
    assert Task.objects.filter(previous=task).count() == 1
    assert Event.objects.filter(kind="task.completed").count() == 1
