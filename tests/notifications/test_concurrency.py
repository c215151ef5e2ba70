"""Exactly-once notifications and digests when callers race, on PostgreSQL (each thread with
its own connection; SQLite serializes writers, covered by test_notify and test_digest)."""

import threading
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from clarion.notifications.models import Notification
from clarion.notifications.services import notify, set_preference
from clarion.notifications.tasks import send_daily_digests

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]

THREADS = 6


def race(target) -> list:
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(target())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return results


def test_racing_reminders_with_one_key_notify_once(admin_user, sales_user):
    results = race(lambda: notify(sales_user, "task.due_soon", title="Call Pat is due soon",
                                  dedupe_key="task:42:due-soon"))

    assert sum(result is not None for result in results) == 1
    assert Notification.objects.filter(dedupe_key="task:42:due-soon").count() == 1


def test_racing_digest_runs_send_one_email(admin_user, sales_user):
    set_preference(user=sales_user, kind="test.pinged", channel="digest")
    notify(sales_user, "test.pinged", actor=admin_user, title="Something")
    moment = datetime(2030, 5, 6, 9, 0, tzinfo=UTC).isoformat()

    race(lambda: send_daily_digests.call(moment))

    assert len(mail.outbox) == 1
