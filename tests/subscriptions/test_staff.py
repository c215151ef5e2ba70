"""Staff pages: subscription types (settings), the suppression list, a contact's
subscriptions panel and consent log — and who may use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clarion.accounts.services import create_user
from clarion.core.events.models import Event
from clarion.crm.timeline import describe
from clarion.subscriptions import services
from clarion.subscriptions.models import (
    ConsentRecord,
    Subscription,
    SubscriptionType,
    Suppression,
)

from .support import make_contact, make_message, make_type, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def as_marketer(client, marketer):
    client.force_login(marketer)
    return client


# --- Permissions ----------------------------------------------------------------------------

def test_non_marketing_users_are_refused(client, sales_user):
    contact = make_contact(email="c@example.org")
    suppression = services.suppress("x@example.org", Suppression.Reason.MANUAL)
    kind = make_type("News")
    client.force_login(sales_user)
    for url in ["/email/suppressions/", f"/email/suppressions/{suppression.pk}/remove/",
                f"/email/contacts/{contact.pk}/consent/", "/settings/subscription-types/",
                "/settings/subscription-types/new/", f"/settings/subscription-types/{kind.pk}/"]:
        assert client.get(url).status_code == 403, url
    assert client.post("/email/suppressions/", {"email": "y@example.org"}).status_code == 403
    assert client.post(f"/email/suppressions/{suppression.pk}/remove/").status_code == 403
    assert client.post(f"/email/contacts/{contact.pk}/subscriptions/", {
        "subscription_type": kind.pk, "status": "unsubscribed"}).status_code == 403
    assert client.post(f"/settings/subscription-types/{kind.pk}/delete/").status_code == 403
    assert Suppression.objects.count() == 1 and SubscriptionType.objects.filter(
        pk=kind.pk).exists()
    assert not Subscription.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/email/suppressions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_marketing_may_not_manage_types(as_marketer):
    # Types are settings: settings.manage, which the Marketing role does not hold.
    assert as_marketer.get("/settings/subscription-types/").status_code == 403
    assert as_marketer.get("/email/suppressions/").status_code == 200


# --- Subscription types ---------------------------------------------------------------------

def test_the_default_type_is_seeded():
    seeded = SubscriptionType.objects.get(name="Marketing email")
    assert seeded.is_default and not seeded.requires_opt_in


def test_type_crud(as_admin):
    page = as_admin.get("/settings/subscription-types/")
    assert page.status_code == 200 and "Marketing email" in page.content.decode()
    response = as_admin.post("/settings/subscription-types/new/", {
        "name": "Product updates", "description": "What's new", "requires_opt_in": "on",
        "double_opt_in": "on", "is_default": "on"})
    assert response.status_code == 302
    kind = SubscriptionType.objects.get(name="Product updates")
    assert kind.requires_opt_in and kind.double_opt_in and kind.is_default
    assert SubscriptionType.objects.filter(is_default=True).count() == 1  # only one default

    response = as_admin.post(f"/settings/subscription-types/{kind.pk}/", {
        "name": "Product news", "description": "", "requires_opt_in": "on"})
    kind.refresh_from_db()
    assert response.status_code == 302 and kind.name == "Product news"
    assert not kind.double_opt_in

    # Double opt-in without opt-in makes no sense: refused with the field named.
    response = as_admin.post("/settings/subscription-types/new/", {
        "name": "Odd", "double_opt_in": "on"})
    assert response.status_code == 400 and "Double opt-in needs" in response.content.decode()

    as_admin.post(f"/settings/subscription-types/{kind.pk}/archive/", {"archived": "1"})
    kind.refresh_from_db()
    assert kind.archived and not kind.is_default
    as_admin.post(f"/settings/subscription-types/{kind.pk}/archive/", {"archived": "0"})
    kind.refresh_from_db()
    assert not kind.archived

    as_admin.post(f"/settings/subscription-types/{kind.pk}/delete/")
    assert not SubscriptionType.objects.filter(pk=kind.pk).exists()


def test_a_type_with_sends_is_never_deleted(as_admin):
    kind = make_type("Used")
    make_message(make_contact(email="r@example.org"), kind)
    page = as_admin.get("/settings/subscription-types/").content.decode()
    assert f"/settings/subscription-types/{kind.pk}/delete/" not in page
    response = as_admin.post(f"/settings/subscription-types/{kind.pk}/delete/", follow=True)
    assert "archive it instead" in response.content.decode()
    assert SubscriptionType.objects.filter(pk=kind.pk).exists()


def test_type_list_query_count_does_not_grow(as_admin):
    for number in range(3):
        make_type(f"T{number}")
    with CaptureQueriesContext(connection) as few:
        as_admin.get("/settings/subscription-types/")
    for number in range(3, 12):
        kind = make_type(f"T{number}")
        Subscription.objects.create(contact=make_contact(), subscription_type=kind,
                                    status="subscribed")
    with CaptureQueriesContext(connection) as many:
        page = as_admin.get("/settings/subscription-types/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.content.decode().count("<tr>") == 13 + 1  # 12 + the seeded one, + header


# --- Suppression list -----------------------------------------------------------------------

def test_suppression_list_search_add_and_remove(as_marketer, marketer):
    for number in range(3):
        services.suppress(f"bounce{number}@example.org", Suppression.Reason.HARD_BOUNCE)
    services.suppress("angry@example.net", Suppression.Reason.COMPLAINT)
    page = as_marketer.get("/email/suppressions/?q=EXAMPLE.NET").content.decode()
    assert "angry@example.net" in page and "bounce0@example.org" not in page

    response = as_marketer.post("/email/suppressions/", {"email": "Hand@Example.org",
                                                         "detail": "asked by phone"})
    assert response.status_code == 302
    added = Suppression.objects.get(email="hand@example.org")
    assert (added.reason, added.created_by, added.detail) == ("manual", marketer,
                                                              "asked by phone")
    log = ConsentRecord.objects.get(email="hand@example.org")
    assert (log.action, log.method, log.actor) == ("suppressed", "manual", marketer)
    # Case-insensitive: the same address again is not a second row.
    as_marketer.post("/email/suppressions/", {"email": "HAND@example.org"})
    assert Suppression.objects.filter(email="hand@example.org").count() == 1
    assert as_marketer.post("/email/suppressions/", {"email": "not an address"}
                            ).status_code == 400

    confirm = as_marketer.get(f"/email/suppressions/{added.pk}/remove/")
    assert confirm.status_code == 200
    assert Suppression.objects.filter(pk=added.pk).exists()  # a GET removes nothing
    as_marketer.post(f"/email/suppressions/{added.pk}/remove/")
    assert not Suppression.objects.filter(pk=added.pk).exists()
    assert ConsentRecord.objects.filter(action="unsuppressed", actor=marketer).exists()


def test_suppression_list_is_paginated_with_constant_queries(as_marketer):
    for number in range(5):
        services.suppress(f"a{number}@example.org", "manual")
    with CaptureQueriesContext(connection) as few:
        as_marketer.get("/email/suppressions/")
    Suppression.objects.bulk_create([Suppression(email=f"b{n}@example.org", reason="manual")
                                     for n in range(120)])
    with CaptureQueriesContext(connection) as many:
        page = as_marketer.get("/email/suppressions/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Page 1 of 3" in page and "page=2" in page
    assert as_marketer.get("/email/suppressions/?page=3").content.decode().count(
        "/remove/") == 25


# --- A contact's panel and consent log ------------------------------------------------------

def test_contact_panel_shows_states_and_changes_by_hand(as_marketer, marketer,
                                                        django_capture_on_commit_callbacks):
    from django.core import mail

    news = make_type("Newsletter")
    digest = make_type("Digest", requires_opt_in=True, double_opt_in=True)
    contact = make_contact(email="kim@example.org", first_name="Kim")
    url = f"/email/contacts/{contact.pk}/subscriptions/"
    page = as_marketer.get(contact.get_absolute_url()).content.decode()
    assert "Email subscriptions" in page and f'hx-get="{url}"' in page  # loads by itself
    card = as_marketer.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Newsletter" in card and "Digest" in card and "<html" not in card
    full = as_marketer.get(url).content.decode()  # without script: a page of its own
    assert "<html" in full and "Newsletter" in full

    as_marketer.post(url, {"subscription_type": news.pk, "status": "unsubscribed"},
                     REMOTE_ADDR="10.0.0.8")
    record = ConsentRecord.objects.get()
    assert (record.action, record.method, record.actor, record.ip_address) == (
        "unsubscribed", "manual", marketer, "10.0.0.8")
    with django_capture_on_commit_callbacks(execute=True):
        as_marketer.post(url, {"subscription_type": digest.pk, "status": "pending"})
    assert Subscription.objects.get(subscription_type=digest).status == "pending"
    assert mail.outbox[0].to == ["kim@example.org"]
    as_marketer.post(url, {"subscription_type": digest.pk, "status": "subscribed"})
    assert Subscription.objects.get(subscription_type=digest).status == "subscribed"
    as_marketer.post(url, {"action": "suppress"})
    assert Suppression.objects.get().email == "kim@example.org"

    card = as_marketer.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Suppressed: Added by hand" in card and "Consent log" in card
    assert "Address suppressed" in card and "Mia" in card
    log = as_marketer.get(f"/email/contacts/{contact.pk}/consent/").content.decode()
    assert "10.0.0.8" in log and "Changed by a user" in log


def test_panel_is_read_only_without_marketing(client, sales_user):
    contact = make_contact(email="kim@example.org", owner=sales_user)
    services.unsubscribe(contact, make_type("Newsletter"), method="one_click")
    client.force_login(sales_user)
    card = client.get(f"/email/contacts/{contact.pk}/subscriptions/",
                      HTTP_HX_REQUEST="true").content.decode()
    assert "Newsletter" in card and "Unsubscribed" in card
    assert "<form" not in card  # no controls
    assert "Consent log" not in card and "One-click" not in card  # nor the log


def test_card_of_a_contact_the_user_cannot_see(client, roles):
    from clarion.accounts.models import Role

    role = Role.objects.create(name="Own", capabilities=["contacts.view_own",
                                                         "marketing.manage"])
    user = create_user(email="own@example.com", password="correct horse battery", role=role)
    stranger = make_contact(email="s@example.org")
    client.force_login(user)
    url = f"/email/contacts/{stranger.pk}/subscriptions/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "suppress"}).status_code == 404
    assert not Suppression.objects.exists()


def test_timeline_sentences():
    news = make_type("Newsletter")
    contact = make_contact(email="kim@example.org")
    message = make_message(contact, news)
    services.unsubscribe(contact, news, method="one_click", message=message)
    services.suppress("kim@example.org", "hard_bounce")
    sentences = [describe(event, None).sentence for event in Event.objects.filter(
        kind__in=["subscription.changed", "email.unsubscribed"]).order_by("id")]
    assert sentences == [
        "Unsubscribed from “Newsletter” (One-click unsubscribe)",
        "Used an email's unsubscribe link to leave “Newsletter” (One-click unsubscribe)",
        "Their address was added to the suppression list (Bounce)"]
    assert token_of(message)
