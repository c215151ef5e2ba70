"""The campaigns API: create and change drafts, variants, the estimate and checklist, launch
and the life-cycle actions, scopes and capabilities, and a list whose query count does not
grow with its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clarion.accounts.services import create_user
from clarion.campaigns.models import Campaign
from tests.campaigns.support import (
    make_email,
    make_list,
    make_sender,
    marketing_type,
    people,
    ready_campaign,
)
from tests.crm.api_support import key_for

pytestmark = pytest.mark.django_db
JSON = "application/json"
URL = "/api/v1/campaigns"


@pytest.fixture
def headers(admin_user):
    return key_for(admin_user, "marketing:read", "marketing:write")


def test_create_change_estimate_and_launch_a_campaign(client, headers):
    make_sender()
    kind = marketing_type()
    crowd = make_list("All", people(3))
    email = make_email()

    created = client.post(URL, {"name": "API news", "email_id": email.pk,
                                "include_segment_ids": [crowd.pk]},
                          content_type=JSON, **headers)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["subscription_type_id"] == kind.pk
    assert body["include_segment_ids"] == [crowd.pk]

    url = f"{URL}/{body['id']}"
    patched = client.patch(url, {"name": "API spring news", "version": body["version"],
                                 "track_clicks": False}, content_type=JSON, **headers)
    assert patched.status_code == 200 and patched.json()["track_clicks"] is False

    estimate = client.get(f"{url}/estimate", **headers).json()
    assert estimate == {"total": 3, "eligible": 3, "excluded": {},
                        "left_out_by_segments": 0, "problems": []}

    launched = client.post(f"{url}/launch", **headers)
    assert launched.status_code == 200 and launched.json()["status"] == "sending"
    assert launched.json()["recipient_count"] == 3
    progress = client.get(f"{url}/progress", **headers).json()
    assert progress["queued"] == 3 and progress["total"] == 3 and progress["percent"] == 0

    again = client.post(f"{url}/launch", **headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "campaign_state"
    assert client.patch(url, {"name": "late"}, content_type=JSON,
                        **headers).status_code == 409


def test_a_blocked_launch_answers_409_with_each_problem(client, headers, admin_user):
    campaign = ready_campaign(admin_user, [], email=make_email(footer=False))
    response = client.post(f"{URL}/{campaign.pk}/launch", **headers)
    assert response.status_code == 409
    codes = {d["code"] for d in response.json()["error"]["details"]}
    assert {"no_recipients", "not_sendable"} <= codes


def test_a_stale_version_answers_409(client, headers, admin_user):
    campaign = ready_campaign(admin_user, [])
    response = client.patch(f"{URL}/{campaign.pk}", {"name": "X", "version": 99},
                            content_type=JSON, **headers)
    assert response.status_code == 409


def test_variants_are_replaced_and_an_unknown_email_is_422(client, headers, admin_user):
    campaign = ready_campaign(admin_user, [], ab_test="content")
    first, second = make_email("A"), make_email("B")
    response = client.put(f"{URL}/{campaign.pk}/variants",
                          [{"email_id": first.pk}, {"email_id": second.pk, "subject": "B!"}],
                          content_type=JSON, **headers)
    assert response.status_code == 200
    assert response.json()["variants"] == [
        {"position": 0, "subject": "", "email_id": first.pk},
        {"position": 1, "subject": "B!", "email_id": second.pk}]
    bad = client.put(f"{URL}/{campaign.pk}/variants", [{"email_id": 9999}],
                     content_type=JSON, **headers)
    assert bad.status_code == 422


def test_pause_resume_cancel(client, headers, admin_user):
    campaign = ready_campaign(admin_user, [make_list("All", people(2))])
    client.post(f"{URL}/{campaign.pk}/launch", **headers)
    assert client.post(f"{URL}/{campaign.pk}/pause", **headers).json()["status"] == "paused"
    assert client.post(f"{URL}/{campaign.pk}/resume", **headers).json()["status"] == "sending"
    assert client.post(f"{URL}/{campaign.pk}/cancel", **headers).json()["status"] == \
        "cancelled"
    assert client.post(f"{URL}/{campaign.pk}/pause", **headers).status_code == 409


def test_a_scheduled_time_needs_an_offset(client, headers, admin_user):
    campaign = ready_campaign(admin_user, [])
    response = client.patch(f"{URL}/{campaign.pk}", {"schedule": "at",
                                                     "scheduled_for": "2031-01-01T09:00:00"},
                            content_type=JSON, **headers)
    assert response.status_code == 422
    response = client.patch(f"{URL}/{campaign.pk}", {
        "schedule": "recipient_time", "scheduled_for": "2031-01-01T09:00:00",
        "fallback_time_zone": "Europe/Paris"}, content_type=JSON, **headers)
    assert response.status_code == 200
    assert response.json()["scheduled_for"].startswith("2031-01-01T09:00:00")


def test_reading_needs_the_scope_and_the_capability(client, roles, admin_user):
    ready_campaign(admin_user, [])
    reader = key_for(admin_user, "contacts:read")
    assert client.get(URL, **reader).status_code == 403
    sales = create_user(email="s@example.com", password="x" * 12, role=roles["Sales"])
    headers = key_for(sales, "contacts:read")
    assert client.get(URL, **headers).status_code == 403
    read_only = key_for(admin_user, "marketing:read")
    assert client.get(URL, **read_only).status_code == 200
    assert client.post(URL, {"name": "x"}, content_type=JSON, **read_only).status_code == 403


def test_the_list_query_count_does_not_grow(client, headers, admin_user):
    segment = make_list("All", people(1))
    ready_campaign(admin_user, [segment], name="One")
    client.get(URL, **headers)  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL, **headers).json()["results"]) == 1
    for n in range(4):
        ready_campaign(admin_user, [segment], name=f"More {n}", ab_test="subject")
    with CaptureQueriesContext(connection) as more:
        page = client.get(URL, {"status": "draft"}, **headers).json()
    assert len(page["results"]) == 5
    assert len(more) == len(few)
    assert Campaign.objects.count() == 5
