"""/api/v1/notifications: the key user's own notifications."""

import pytest

from clarion.accounts.models import APIKey, hash_secret
from clarion.notifications.models import Notification
from clarion.notifications.services import notify, unread_count

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def key_for(user, *scopes: str) -> dict:
    prefix, secret = APIKey.generate_secret()
    APIKey.objects.create(name="t", user=user, prefix=prefix, key_hash=hash_secret(secret),
                          scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def headers(admin_user):
    return key_for(admin_user, "notifications:read", "notifications:write")


def test_list_is_newest_first_and_paginated(client, admin_user, sales_user, headers,
                                            django_assert_max_num_queries):
    for number in range(5):
        notify(admin_user, "test.pinged", actor=sales_user, title=f"Ping {number}")
    notify(sales_user, "test.pinged", actor=admin_user, title="Not yours")

    with django_assert_max_num_queries(10):
        first = client.get(URL, {"limit": 3}, headers=headers).json()
    second = client.get(URL, {"limit": 3, "cursor": first["next"]}, headers=headers).json()

    assert [n["title"] for n in first["results"]] == ["Ping 4", "Ping 3", "Ping 2"]
    assert [n["title"] for n in second["results"]] == ["Ping 1", "Ping 0"]
    assert second["next"] is None and first["unread"] == 5


def test_unread_filter_and_mark_read(client, admin_user, sales_user, headers):
    first = notify(admin_user, "test.pinged", actor=sales_user, title="one")
    notify(admin_user, "test.pinged", actor=sales_user, title="two")

    marked = client.post(f"{URL}/{first.pk}/read", headers=headers)
    unread = client.get(URL, {"unread": True}, headers=headers).json()

    assert marked.status_code == 200 and marked.json()["read_at"]
    assert [n["title"] for n in unread["results"]] == ["two"]


def test_mark_all_read(client, admin_user, sales_user, headers):
    notify(admin_user, "test.pinged", actor=sales_user, title="one")
    notify(admin_user, "test.pinged", actor=sales_user, title="two")

    response = client.post(f"{URL}/read-all", headers=headers)

    assert response.json() == {"marked": 2}
    assert unread_count(admin_user) == 0


def test_another_users_notification_is_not_found(client, admin_user, sales_user, headers):
    theirs = notify(sales_user, "test.pinged", actor=admin_user, title="private")

    response = client.post(f"{URL}/{theirs.pk}/read", headers=headers)

    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_needs_the_write_scope(client, admin_user, sales_user):
    notification = notify(admin_user, "test.pinged", actor=sales_user, title="one")
    headers = key_for(admin_user, "notifications:read")

    assert client.post(f"{URL}/{notification.pk}/read", headers=headers).status_code == 403


def test_a_bad_cursor_is_a_json_error(client, headers):
    response = client.get(URL, {"cursor": "nope"}, headers=headers)

    assert response.status_code == 422
