"""The daily digest: one email a day per person, listing what they haven't read."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy

from clarion.notifications.kinds import KINDS, register_kind
from clarion.notifications.services import mark_read, notify, set_preference
from clarion.notifications.tasks import send_daily_digests

pytestmark = pytest.mark.django_db

MORNING = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def kinds():
    saved = dict(KINDS)
    register_kind("test.pinged", gettext_lazy("Pinged"), default="digest")
    yield
    KINDS.clear()
    KINDS.update(saved)


def run(moment: datetime) -> int:
    return send_daily_digests.call(moment.isoformat())


def test_the_digest_lists_unread_notifications(admin_user, sales_user):
    notify(sales_user, "test.pinged", actor=admin_user, title="First thing")
    read = notify(sales_user, "test.pinged", actor=admin_user, title="Already seen")
    notify(sales_user, "test.pinged", actor=admin_user, title="Second thing")
    mark_read(read, user=sales_user)

    assert run(MORNING) == 1

    assert mail.outbox[0].to == [sales_user.email]
    assert "First thing" in mail.outbox[0].body and "Second thing" in mail.outbox[0].body
    assert "Already seen" not in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your Clarion digest: 2 notifications"


def test_the_digest_is_sent_once_a_day_even_if_run_twice(admin_user, sales_user):
    notify(sales_user, "test.pinged", actor=admin_user, title="First thing")
    run(MORNING)
    notify(sales_user, "test.pinged", actor=admin_user, title="Later the same day")

    assert run(MORNING.replace(hour=15)) == 0
    assert len(mail.outbox) == 1
    assert run(MORNING.replace(day=7)) == 1
    assert "Later the same day" in mail.outbox[1].body


def test_no_digest_before_the_digest_hour_nor_without_unread(admin_user, sales_user):
    notify(sales_user, "test.pinged", actor=admin_user, title="First thing")

    assert run(MORNING.replace(hour=3)) == 0
    set_preference(user=admin_user, kind="test.pinged", channel="in_app")
    assert run(MORNING) == 1
    assert [m.to for m in mail.outbox] == [[sales_user.email]]


def test_in_app_only_notifications_never_reach_the_digest(admin_user, sales_user):
    set_preference(user=sales_user, kind="test.pinged", channel="in_app")
    notify(sales_user, "test.pinged", actor=admin_user, title="Only in the app")

    assert run(MORNING) == 0


def test_the_digest_job_is_registered_with_the_scheduler():
    from clarion.core.scheduler import JOBS

    assert "notifications-daily-digest" in JOBS
