"""The delivery reports pages: for people who manage marketing email; raw text escaped."""

import pytest

from clarion.accounts.services import create_user
from clarion.tracking.models import Notice
from tests.tracking.support import make_message

pytestmark = pytest.mark.django_db


def notice(n, **fields):
    values = {"key": f"k{n}", "source": "mailbox", "kind": "bounce",
              "email": f"gone{n}@example.org", "summary": "hard 5.1.1"}
    values.update(fields)
    return Notice.objects.create(**values)


def test_list_shows_reports_with_their_email_in_fixed_queries(client, admin_user,
                                                             django_assert_max_num_queries):
    for n in range(5):
        notice(n, message=make_message())
    client.force_login(admin_user)
    client.get("/email/delivery-reports/")
    with django_assert_max_num_queries(12):
        response = client.get("/email/delivery-reports/")
    assert response.status_code == 200
    assert response.content.decode().count("Spring news") == 5
    for n in range(5, 15):
        notice(n, message=make_message())
    with django_assert_max_num_queries(12):
        assert client.get("/email/delivery-reports/").status_code == 200


def test_list_filters_by_kind_and_address(client, admin_user):
    notice(1)
    notice(2, kind="complaint", email="angry@example.org")
    client.force_login(admin_user)
    page = client.get("/email/delivery-reports/?kind=complaint").content.decode()
    assert "angry@example.org" in page and "gone1@example.org" not in page
    page = client.get("/email/delivery-reports/?q=gone1").content.decode()
    assert "gone1@example.org" in page and "angry@example.org" not in page


def test_detail_shows_the_raw_text_escaped(client, admin_user):
    row = notice(1, kind="other", raw="Subject: hi\n\n<script>alert(1)</script>")
    client.force_login(admin_user)
    page = client.get(f"/email/delivery-reports/{row.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_pages_need_marketing_capability(client, roles):
    row = notice(1)
    assert client.get("/email/delivery-reports/").status_code == 302  # to sign in
    user = create_user(email="svc@example.com", password="correct horse battery",
                       first_name="Sue", role=roles["Service"] if "Service" in roles
                       else roles["Sales"])
    client.force_login(user)
    assert client.get("/email/delivery-reports/").status_code == 403
    assert client.get(f"/email/delivery-reports/{row.pk}/").status_code == 403
