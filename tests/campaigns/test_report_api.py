"""The report API: GET /campaigns/{id}/report and /campaigns/{id}/report/contacts?metric=…,
behind the marketing:read scope, contacts limited to those the key's user may see.

The endpoints are served here by an API of their own (the same router the campaigns API
mounts), so these tests do not depend on how the campaigns API is put together."""

from datetime import timedelta

import pytest
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI

from clarion.accounts.services import create_user
from clarion.api.auth import APIKeyAuth
from clarion.api.errors import register_exception_handlers
from clarion.api.services import create_api_key
from clarion.campaigns.report_api import build_router
from clarion.sending.models import Message
from tests.campaigns.test_reports import add_message, email_events, make_campaign, make_contact

test_api = NinjaAPI(urls_namespace="report_api_test", auth=APIKeyAuth())
register_exception_handlers(test_api)
test_api.add_router("/campaigns", build_router())
urlpatterns = [path("api/v1/", test_api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def bearer(user, *scopes) -> dict:
    _key, secret = create_api_key(user=user, name="Reports", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def marketing_role(roles):
    role = roles["Marketing"]
    role.capabilities = [*role.capabilities, "api.manage"]  # keys need it
    role.save()
    return role


@pytest.fixture
def marketer(marketing_role):
    return create_user(email="mia@example.com", password="correct horse battery",
                       role=marketing_role)


@pytest.fixture
def campaign():
    campaign = make_campaign(variants=2, winner_variant=0)
    now = timezone.now()
    for index in range(4):
        message = add_message(campaign, variant=index % 2,
                              opened_at=now if index < 2 else None, open_count=int(index < 2))
        if index == 0:
            email_events(message, "email.clicked", campaign.send.started_at + timedelta(hours=2),
                         url="https://example.com/a", link=0)
    add_message(campaign, status=Message.Status.SKIPPED, reason="suppressed")
    return campaign


def test_report_gives_totals_variants_reasons_time_and_links(client, marketer, campaign):
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/report",
                          **bearer(marketer, "marketing:read"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"]["sent"] == 4 and body["totals"]["opened"] == 2
    assert body["totals"]["open_rate"] == 50.0
    assert [v["name"] for v in body["variants"]] == ["A", "B"]
    assert body["variants"][0]["is_winner"] is True
    assert body["skipped_by_reason"] == [{"reason": "suppressed", "label": "Suppressed address",
                                          "count": 1}]
    assert body["over_time"] == [{"start": body["over_time"][0]["start"], "period": "hour",
                                  "opens": 0, "clicks": 1}]
    assert body["links"] == [{"url": "https://example.com/a", "clicks": 1, "unique_clicks": 1}]


def test_contacts_behind_a_metric_page_with_a_cursor(client, marketer, campaign,
                                                     django_assert_max_num_queries):
    headers = bearer(marketer, "marketing:read")
    url = f"/api/v1/campaigns/{campaign.pk}/report/contacts"
    with django_assert_max_num_queries(8):
        first = client.get(url, {"metric": "opened", "limit": 1}, **headers).json()
    second = client.get(url, {"metric": "opened", "limit": 1, "cursor": first["next"]},
                        **headers).json()
    ids = [row["contact_id"] for row in first["results"] + second["results"]]
    assert sorted(ids) == sorted(campaign.send.messages.filter(
        opened_at__isnull=False).values_list("contact_id", flat=True))
    assert second["next"] is None
    assert client.get(url, {"metric": "bogus"}, **headers).status_code == 422


def test_contacts_are_limited_to_what_the_keys_user_may_see(client, marketing_role, campaign):
    role = marketing_role
    role.capabilities = [c for c in role.capabilities if not c.startswith("contacts.")] + [
        "contacts.view_own"]
    role.save()
    viewer = create_user(email="olga@example.com", password="correct horse battery", role=role)
    mine = add_message(campaign, make_contact(owner=viewer), opened_at=timezone.now())
    body = client.get(f"/api/v1/campaigns/{campaign.pk}/report/contacts",
                      {"metric": "opened"}, **bearer(viewer, "marketing:read")).json()
    assert [row["message_id"] for row in body["results"]] == [mine.pk]


def test_the_report_needs_the_marketing_read_scope(client, marketer, campaign):
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/report",
                          **bearer(marketer, "contacts:read"))
    assert response.status_code == 403
    assert client.get("/api/v1/campaigns/999999/report",
                      **bearer(marketer, "marketing:read")).status_code == 404
