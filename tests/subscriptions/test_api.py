"""The consent API: types, a contact's subscriptions, suppressions and the consent log;
scopes and capabilities; query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clarion.accounts.services import create_user
from clarion.api.services import create_api_key
from clarion.subscriptions import services
from clarion.subscriptions.models import (
    ConsentRecord,
    Subscription,
    SubscriptionType,
    Suppression,
)
from tests.crm.api_support import key_for

from .support import make_contact, make_type

pytestmark = pytest.mark.django_db
JSON = "application/json"
BOTH = ("marketing:read", "marketing:write")


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])


@pytest.fixture
def admin_headers(admin_user):
    return key_for(admin_user, *BOTH)


@pytest.fixture
def marketer_headers(marketer):
    return key_for(marketer, *BOTH)


def test_types_list_create_update(client, admin_headers):
    listed = client.get("/api/v1/subscriptions/types", **admin_headers)
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["Marketing email"]
    created = client.post("/api/v1/subscriptions/types", {
        "name": "Webinars", "requires_opt_in": True, "double_opt_in": True},
        content_type=JSON, HTTP_IDEMPOTENCY_KEY="t1", **admin_headers)
    assert created.status_code == 201
    again = client.post("/api/v1/subscriptions/types", {
        "name": "Webinars", "requires_opt_in": True, "double_opt_in": True},
        content_type=JSON, HTTP_IDEMPOTENCY_KEY="t1", **admin_headers)
    assert again.json()["id"] == created.json()["id"]
    assert SubscriptionType.objects.filter(name="Webinars").count() == 1
    type_id = created.json()["id"]
    patched = client.patch(f"/api/v1/subscriptions/types/{type_id}", {"archived": True},
                           content_type=JSON, **admin_headers)
    assert patched.status_code == 200 and patched.json()["archived"] is True
    bad = client.patch(f"/api/v1/subscriptions/types/{type_id}", {"requires_opt_in": False},
                       content_type=JSON, **admin_headers)
    assert bad.status_code == 422 and "double_opt_in" in bad.content.decode()
    assert client.patch("/api/v1/subscriptions/types/9999", {"name": "x"}, content_type=JSON,
                        **admin_headers).status_code == 404


def test_type_changes_need_settings_manage(client, marketer_headers):
    response = client.post("/api/v1/subscriptions/types", {"name": "Mine"},
                           content_type=JSON, **marketer_headers)
    assert response.status_code == 403
    assert client.get("/api/v1/subscriptions/types", **marketer_headers).status_code == 200


def test_scopes_and_capabilities(client, marketer, sales_user):
    read_only = key_for(marketer, "marketing:read")
    assert client.get("/api/v1/subscriptions/suppressions", **read_only).status_code == 200
    assert client.post("/api/v1/subscriptions/suppressions", {"email": "a@example.org"},
                       content_type=JSON, **read_only).status_code == 403
    # A user without marketing.manage cannot even hold a marketing key.
    sales_user.role.capabilities.append("api.manage")
    sales_user.role.save()
    with pytest.raises(Exception):  # noqa: B017
        create_api_key(user=sales_user, name="k", scopes=["marketing:read"])
    other = key_for(sales_user, "contacts:read")
    assert client.get("/api/v1/subscriptions/suppressions", **other).status_code == 403
    assert not Suppression.objects.exists()


def test_contact_subscriptions_get_and_set(client, marketer, marketer_headers,
                                           django_capture_on_commit_callbacks):
    from django.core import mail

    news = make_type("News")
    digest = make_type("Digest", requires_opt_in=True, double_opt_in=True)
    contact = make_contact(email="kim@example.org")
    url = f"/api/v1/subscriptions/contacts/{contact.pk}"
    body = client.get(url, **marketer_headers).json()
    assert body["suppressed"] is False
    states = {s["subscription_type"]: s for s in body["subscriptions"]}
    assert states["News"]["receives"] and states["News"]["status"] == ""
    assert not states["Digest"]["receives"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(url, {"changes": [
            {"subscription_type_id": news.pk, "status": "unsubscribed"},
            {"subscription_type_id": digest.pk, "status": "pending"}]},
            content_type=JSON, **marketer_headers)
    assert response.status_code == 200
    states = {s["subscription_type"]: s for s in response.json()["subscriptions"]}
    assert states["News"]["status"] == "unsubscribed" and states["Digest"]["status"] == "pending"
    assert len(mail.outbox) == 1
    response = client.put(url, {"changes": [
        {"subscription_type_id": digest.pk, "status": "subscribed"}],
        "consent_text": "Ticked the box at the fair"}, content_type=JSON, **marketer_headers)
    assert Subscription.objects.get(subscription_type=digest).status == "subscribed"
    assert ConsentRecord.objects.filter(text="Ticked the box at the fair",
                                        method="api", actor=marketer).exists()
    invalid = client.put(url, {"changes": [{"subscription_type_id": 9999,
                                            "status": "subscribed"}]},
                         content_type=JSON, **marketer_headers)
    assert invalid.status_code == 422

    log = client.get(f"{url}/consent-log?limit=2", **marketer_headers).json()
    assert len(log["results"]) == 2 and log["next"]
    assert log["results"][0]["method"] == "api"
    rest = client.get(f"{url}/consent-log?limit=50&cursor={log['next']}",
                      **marketer_headers).json()
    assert len(rest["results"]) == ConsentRecord.objects.filter(contact=contact).count() - 2


def test_contacts_the_user_cannot_see_or_edit(client, roles):
    from clarion.accounts.models import Role

    role = Role.objects.create(name="Own", capabilities=["contacts.view_own",
                                                         "contacts.edit_own",
                                                         "marketing.manage"])
    user = create_user(email="own@example.com", password="correct horse battery", role=role)
    headers = key_for(user, *BOTH)
    stranger = make_contact(email="s@example.org")
    url = f"/api/v1/subscriptions/contacts/{stranger.pk}"
    assert client.get(url, **headers).status_code == 404
    assert client.get(f"{url}/consent-log", **headers).status_code == 404
    assert client.put(url, {"changes": [{"subscription_type_id": make_type().pk,
                                         "status": "unsubscribed"}]},
                      content_type=JSON, **headers).status_code == 404
    assert not Subscription.objects.exists()


def test_suppressions_list_add_remove(client, marketer_headers):
    for number in range(3):
        services.suppress(f"b{number}@example.org", "hard_bounce")
    added = client.post("/api/v1/subscriptions/suppressions",
                        {"email": "Hand@Example.org", "detail": "asked"},
                        content_type=JSON, **marketer_headers)
    assert added.status_code == 201 and added.json()["email"] == "hand@example.org"
    assert added.json()["reason"] == "manual"
    twice = client.post("/api/v1/subscriptions/suppressions", {"email": "HAND@example.org"},
                        content_type=JSON, **marketer_headers)
    assert twice.status_code == 409
    assert client.post("/api/v1/subscriptions/suppressions", {"email": "nope"},
                       content_type=JSON, **marketer_headers).status_code == 422

    page = client.get("/api/v1/subscriptions/suppressions?reason=hard_bounce&limit=2",
                      **marketer_headers).json()
    assert len(page["results"]) == 2 and page["next"]
    found = client.get("/api/v1/subscriptions/suppressions?search=hand",
                       **marketer_headers).json()
    assert [row["email"] for row in found["results"]] == ["hand@example.org"]

    assert client.delete("/api/v1/subscriptions/suppressions/HAND@example.org",
                         **marketer_headers).status_code == 204
    assert client.delete("/api/v1/subscriptions/suppressions/hand@example.org",
                         **marketer_headers).status_code == 404
    assert ConsentRecord.objects.filter(action="unsuppressed", method="api").exists()


def test_suppression_list_queries_do_not_grow(client, marketer_headers):
    for number in range(3):
        services.suppress(f"a{number}@example.org", "manual")
    client.get("/api/v1/subscriptions/suppressions", **marketer_headers)  # the key's first use
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/subscriptions/suppressions", **marketer_headers)
    Suppression.objects.bulk_create([Suppression(email=f"z{n}@example.org", reason="manual")
                                     for n in range(40)])
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/subscriptions/suppressions", **marketer_headers)
    assert len(many.captured_queries) == len(few.captured_queries) == 2  # the key, the page
