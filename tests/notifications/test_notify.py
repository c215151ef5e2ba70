"""The notify service: preferences, exactly-once keys, language, and no leaks."""

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy

from clarion.notifications.kinds import KINDS, register_kind
from clarion.notifications.models import Notification
from clarion.notifications.services import (
    mark_all_read,
    mark_read,
    notify,
    set_preference,
    unread_count,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kinds():
    saved = dict(KINDS)
    register_kind("test.pinged", gettext_lazy("Pinged"))
    register_kind("test.mentioned", gettext_lazy("Mentioned"), default="email")
    yield
    KINDS.clear()
    KINDS.update(saved)


def test_notify_creates_an_unread_in_app_notification(admin_user, sales_user):
    notification = notify(sales_user, "test.pinged", actor=admin_user, title="Ada pinged you")

    assert notification.title == "Ada pinged you"
    assert unread_count(sales_user) == 1
    assert mail.outbox == []


def test_a_kind_turned_off_creates_nothing(admin_user, sales_user):
    set_preference(user=sales_user, kind="test.pinged", channel="off")

    assert notify(sales_user, "test.pinged", actor=admin_user, title="x") is None
    assert unread_count(sales_user) == 0


def test_email_preference_sends_the_email_once(admin_user, sales_user,
                                               django_capture_on_commit_callbacks):
    set_preference(user=sales_user, kind="test.pinged", channel="email")

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(sales_user, "test.pinged", actor=admin_user, title="Ada pinged you")

    assert [m.to for m in mail.outbox] == [[sales_user.email]]
    assert mail.outbox[0].subject == "Ada pinged you"
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    from clarion.notifications.tasks import send_notification_email

    assert send_notification_email.call(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_kind_default_applies_without_a_preference(admin_user, sales_user,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(sales_user, "test.mentioned", actor=admin_user, title="Ada mentioned you")

    assert len(mail.outbox) == 1


def test_digest_preference_sends_no_email_now(admin_user, sales_user,
                                              django_capture_on_commit_callbacks):
    set_preference(user=sales_user, kind="test.mentioned", channel="digest")

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(sales_user, "test.mentioned", actor=admin_user, title="x")

    assert mail.outbox == []
    assert notification.delivery == "digest"


def test_the_same_dedupe_key_notifies_once(admin_user, sales_user):
    first = notify(sales_user, "test.pinged", title="Due soon", dedupe_key="task:1:due")
    second = notify(sales_user, "test.pinged", title="Due soon", dedupe_key="task:1:due")

    assert first is not None and second is None
    assert Notification.objects.filter(recipient=sales_user).count() == 1


def test_people_are_not_notified_of_their_own_actions(admin_user):
    assert notify(admin_user, "test.pinged", actor=admin_user, title="x") is None


def test_the_title_is_rendered_in_the_recipients_language(admin_user, sales_user):
    sales_user.language = "zh-hans"
    sales_user.save()

    notification = notify(sales_user, "test.pinged", actor=admin_user,
                          title=gettext_lazy("Settings"))

    assert notification.title == "设置"


def test_a_record_the_recipient_cannot_see_is_not_leaked(admin_user, sales_user, private_deal):
    notification = notify(sales_user, "test.mentioned", actor=admin_user, target=private_deal,
                          title=f"Ada mentioned you on {private_deal.name}")

    assert "Secret merger" not in notification.title
    assert notification.title == "Ada mentioned you on a record you can't open"
    assert notification.url == ""


def test_a_visible_record_is_linked(admin_user, sales_user, private_deal):
    notification = notify(admin_user, "test.mentioned", actor=sales_user, target=private_deal,
                          title="Sam mentioned you")

    assert notification.url == private_deal.get_absolute_url()
    assert notification.target == private_deal


def test_mark_read_and_mark_all_read(admin_user, sales_user):
    first = notify(sales_user, "test.pinged", title="one")
    notify(sales_user, "test.pinged", title="two")
    notify(sales_user, "test.pinged", title="three")

    mark_read(first, user=sales_user)
    assert unread_count(sales_user) == 2
    assert mark_all_read(sales_user) == 2
    assert unread_count(sales_user) == 0


def test_nobody_marks_someone_elses_notification(admin_user, sales_user):
    notification = notify(sales_user, "test.pinged", title="one")

    with pytest.raises(PermissionError):
        mark_read(notification, user=admin_user)


def test_a_task_the_recipient_cannot_see_is_not_leaked(admin_user, sales_user):
    from clarion.tasks.services import create_task

    task = create_task(actor=admin_user, title="Negotiate the Secret merger")

    notification = notify(sales_user, "test.mentioned", actor=admin_user, target=task,
                          title="Ada mentioned you on Negotiate the Secret merger")

    assert "Secret" not in notification.title and notification.url == ""
