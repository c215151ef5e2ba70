"""The notification centre's pages: the bell, the list, marking read, preferences."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from clarion.notifications.kinds import KINDS, register_kind
from clarion.notifications.models import Notification, NotificationPreference
from clarion.notifications.services import notify, unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kinds():
    saved = dict(KINDS)
    register_kind("test.pinged", gettext_lazy("Pinged"))
    yield
    KINDS.clear()
    KINDS.update(saved)


@pytest.fixture
def signed_in(client, sales_user):
    client.force_login(sales_user)
    return client


def test_the_bell_names_the_unread_count(signed_in, sales_user, admin_user):
    for number in range(3):
        notify(sales_user, "test.pinged", actor=admin_user, title=f"Ping {number}")

    page = signed_in.get(reverse("notifications:list")).content.decode()

    assert 'aria-label="Notifications, 3 unread"' in page
    assert "Ping 2" in page


def test_the_list_reads_a_page_in_few_queries(signed_in, sales_user, admin_user,
                                              django_assert_max_num_queries):
    for number in range(30):
        notify(sales_user, "test.pinged", actor=admin_user, title=f"Ping {number}")

    with django_assert_max_num_queries(12):
        response = signed_in.get(reverse("notifications:list"))

    assert response.status_code == 200
    assert response.context["next_cursor"]
    older = signed_in.get(reverse("notifications:list"),
                          {"cursor": response.context["next_cursor"]})
    titles = {n.title for n in response.context["notifications"]} | {
        n.title for n in older.context["notifications"]}
    assert len(titles) == 30


def test_opening_a_notification_marks_it_read_and_follows_its_link(signed_in, sales_user,
                                                                   admin_user):
    notification = notify(sales_user, "test.pinged", actor=admin_user, title="x",
                          url="/contacts/")

    response = signed_in.post(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == "/contacts/"
    assert unread_count(sales_user) == 0


def test_someone_elses_notification_is_not_found(signed_in, admin_user, sales_user):
    theirs = notify(admin_user, "test.pinged", actor=sales_user, title="private")

    assert signed_in.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    assert signed_in.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read(signed_in, sales_user, admin_user):
    notify(sales_user, "test.pinged", actor=admin_user, title="one")
    notify(sales_user, "test.pinged", actor=admin_user, title="two")

    signed_in.post(reverse("notifications:mark_all_read"))

    assert unread_count(sales_user) == 0


def test_preferences_page_saves_a_channel(signed_in, sales_user):
    page = signed_in.get(reverse("notifications:preferences"))
    assert b"Pinged" in page.content

    signed_in.post(reverse("notifications:preferences"), {"kind-test.pinged": "digest"})

    assert NotificationPreference.objects.get(user=sales_user, kind="test.pinged").channel \
        == "digest"


def test_pages_need_sign_in(client):
    assert client.get(reverse("notifications:list")).status_code == 302
    assert client.get(reverse("notifications:preferences")).status_code == 302
