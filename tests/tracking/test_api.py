"""The delivery reports API: scope, filters, raw text, cursor pages, query counts."""

import pytest

from clarion.tracking.models import Notice
from tests.crm.api_support import key_for
from tests.tracking.support import make_message

pytestmark = pytest.mark.django_db


def notice(n, **fields):
    values = {"key": f"k{n}", "source": "mailbox", "kind": "bounce",
              "email": f"gone{n}@example.org", "summary": "hard 5.1.1"}
    values.update(fields)
    return Notice.objects.create(**values)


def test_list_pages_newest_first_with_the_send(client, admin_user,
                                                django_assert_max_num_queries):
    headers = key_for(admin_user, "marketing:read")
    message = make_message()
    rows = [notice(n, message=message) for n in range(5)]
    with django_assert_max_num_queries(8):
        first = client.get("/api/v1/delivery-reports?limit=3", **headers).json()
    assert [r["id"] for r in first["results"]] == [r.pk for r in rows[::-1][:3]]
    assert first["results"][0]["send_id"] == message.send_id
    assert "raw" not in first["results"][0]
    second = client.get(f"/api/v1/delivery-reports?limit=3&cursor={first['next']}",
                        **headers).json()
    assert [r["id"] for r in second["results"]] == [rows[1].pk, rows[0].pk]
    assert second["next"] is None


def test_filter_and_detail(client, admin_user):
    headers = key_for(admin_user, "marketing:read")
    notice(1)
    other = notice(2, kind="other", email="x@example.org", raw="Subject: hi\n\nhello")
    listed = client.get("/api/v1/delivery-reports?kind=other", **headers).json()
    assert [r["id"] for r in listed["results"]] == [other.pk]
    detail = client.get(f"/api/v1/delivery-reports/{other.pk}", **headers).json()
    assert detail["raw"].endswith("hello") and detail["message_id"] is None
    assert client.get("/api/v1/delivery-reports/999999", **headers).status_code == 404


def test_needs_the_marketing_read_scope(client, admin_user):
    notice(1)
    assert client.get("/api/v1/delivery-reports").status_code == 401
    headers = key_for(admin_user, "contacts:read")
    assert client.get("/api/v1/delivery-reports", **headers).status_code == 403
