"""Concurrent one-click unsubscribes (a mail provider retrying, a person pressing twice)
record one unsubscribe, on PostgreSQL where the requests really overlap."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from clarion.core.events.models import Event
from clarion.subscriptions.models import ConsentRecord, Subscription, Suppression

from .support import make_contact, make_message, make_type, token_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers, so nothing overlaps"),
]


def hammer(path: str, data: dict, times: int = 8) -> list[int]:
    barrier = threading.Barrier(times)
    codes: list[int] = []

    def post():
        try:
            barrier.wait()
            codes.append(Client().post(path, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_concurrent_one_click_posts_record_one_unsubscribe():
    news = make_type("News")
    message = make_message(make_contact(email="race@example.org"), news)
    codes = hammer(f"/email/u/{token_of(message)}/", {"List-Unsubscribe": "One-Click"})
    assert codes == [200] * 8
    assert Subscription.objects.get().status == "unsubscribed"
    assert ConsentRecord.objects.count() == 1
    assert Event.objects.filter(kind="email.unsubscribed").count() == 1


def test_concurrent_unsubscribe_from_all_suppresses_once():
    message = make_message(make_contact(email="race@example.org"), make_type("News"))
    codes = hammer(f"/email/u/{token_of(message)}/", {"scope": "all"})
    assert codes == [200] * 8
    assert Suppression.objects.count() == 1
    assert ConsentRecord.objects.count() == 1
    assert Event.objects.filter(kind="email.unsubscribed").count() == 1
