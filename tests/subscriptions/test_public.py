"""Recipients' pages: one-click unsubscribe (RFC 8058), the confirmation page, the preference
centre and double opt-in — with no session, against forged tokens and under rate limits."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from clarion.core.events.models import Event
from clarion.sending.models import Message
from clarion.sending.tokens import message_token
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
def news():
    return make_type("Newsletter")


@pytest.fixture
def sent(news):
    contact = make_contact(email="Reader@Example.org", first_name="Rita")
    return make_message(contact, news)


def status_of(contact, kind) -> str:
    row = Subscription.objects.filter(contact=contact, subscription_type=kind).first()
    return row.status if row else ""


def one_click(client, token, **extra):
    return client.post(f"/email/u/{token}/", {"List-Unsubscribe": "One-Click"}, **extra)


# --- One-click (RFC 8058) -------------------------------------------------------------------

def test_one_click_post_without_cookies_or_csrf_unsubscribes(sent, news):
    client = Client(enforce_csrf_checks=True)  # as a mailbox provider: no cookie, no token
    response = one_click(client, token_of(sent), HTTP_USER_AGENT="Mailbox provider",
                         REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert not response.cookies  # nothing set, nothing needed
    assert status_of(sent.contact, news) == "unsubscribed"
    sent.refresh_from_db()
    assert sent.unsubscribed_at is not None
    record = ConsentRecord.objects.get()
    assert (record.action, record.method, record.subscription_type, record.email,
            record.ip_address, record.user_agent) == (
        "unsubscribed", "one_click", news, "Reader@Example.org", "203.0.113.9",
        "Mailbox provider")
    assert "Spring news" in record.source  # where: the email it came from
    event = Event.objects.get(kind="email.unsubscribed")
    assert event.contact_id == sent.contact_id and event.subject_id == sent.send_id
    assert event.data == {"send_id": sent.send_id, "message_id": sent.pk,
                          "subscription_type_id": news.pk, "method": "one_click",
                          "subscription_type_name": "Newsletter"}
    changed = Event.objects.get(kind="subscription.changed")
    assert changed.data["status"] == "unsubscribed"
    assert changed.data["subscription_type_id"] == news.pk


def test_one_click_multipart_body_works_too(sent, news):
    response = Client().post(f"/email/u/{token_of(sent)}/",
                             {"List-Unsubscribe": "One-Click"})  # multipart by default
    assert response.status_code == 200
    assert status_of(sent.contact, news) == "unsubscribed"


def test_one_click_body_under_another_content_type(sent, news):
    response = Client().post(f"/email/u/{token_of(sent)}/", "List-Unsubscribe=One-Click",
                             content_type="text/plain")
    assert response.status_code == 200
    assert status_of(sent.contact, news) == "unsubscribed"


def test_a_post_with_another_body_is_not_one_click(sent, news):
    response = Client().post(f"/email/u/{token_of(sent)}/", {"List-Unsubscribe": "Yes"})
    assert response.status_code == 400
    assert status_of(sent.contact, news) == ""


def test_one_click_is_idempotent(sent, news):
    client = Client()
    first_at = None
    for _attempt in range(3):
        assert one_click(client, token_of(sent)).status_code == 200
        sent.refresh_from_db()
        first_at = first_at or sent.unsubscribed_at
        assert sent.unsubscribed_at == first_at
    assert ConsentRecord.objects.count() == 1
    assert Event.objects.filter(kind="email.unsubscribed").count() == 1
    assert Event.objects.filter(kind="subscription.changed").count() == 1


def test_one_click_of_a_send_without_type_suppresses_the_address():
    contact = make_contact(email="all@example.org")
    message = make_message(contact, None)
    assert one_click(Client(), token_of(message)).status_code == 200
    assert Suppression.objects.get().reason == "unsubscribed_all"
    event = Event.objects.get(kind="email.unsubscribed")
    assert event.data["subscription_type_id"] is None


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("a" if token[-1] != "a" else "b"),  # MAC changed
    lambda token: "1" + token,  # another message id with this MAC
    lambda token: token.split("-")[0],  # no MAC
    lambda token: "zz-" + "0" * 22,
    lambda token: "not a token",
])
def test_forged_or_tampered_tokens_are_rejected(sent, news, tamper):
    token = tamper(token_of(sent))
    client = Client()
    assert one_click(client, token).status_code == 404
    page = client.get(f"/email/u/{token}/")
    assert page.status_code == 404
    body = page.content.decode()
    assert "Reader@Example.org".lower() not in body.lower() and "Newsletter" not in body
    assert client.get(f"/email/preferences/{token}/").status_code == 404
    assert client.post(f"/email/u/{token}/", {"scope": "all"}).status_code == 404
    assert status_of(sent.contact, news) == ""
    assert not Suppression.objects.exists() and not ConsentRecord.objects.exists()


def test_a_valid_token_of_no_message_is_just_not_found(sent):
    token = message_token(sent.pk + 1000)
    assert not Message.objects.filter(pk=sent.pk + 1000).exists()
    assert Client().get(f"/email/u/{token}/").status_code == 404
    assert one_click(Client(), token).status_code == 404


# --- The confirmation page ------------------------------------------------------------------

def test_get_never_unsubscribes(sent, news):
    client = Client()
    for _scan in range(3):  # a link scanner, a prefetching mail client, the person
        response = client.get(f"/email/u/{token_of(sent)}/")
        assert response.status_code == 200
        client.head(f"/email/u/{token_of(sent)}/")
    body = response.content.decode()
    assert "Unsubscribe Reader@Example.org from Newsletter?" in body
    assert f"/email/preferences/{token_of(sent)}/" in body
    assert status_of(sent.contact, news) == ""
    assert not ConsentRecord.objects.exists() and not Suppression.objects.exists()
    sent.refresh_from_db()
    assert sent.unsubscribed_at is None


def test_confirmation_page_unsubscribes_from_the_type(sent, news):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/email/u/{token_of(sent)}/", {"scope": "type"},
                           HTTP_USER_AGENT="Firefox")
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert status_of(sent.contact, news) == "unsubscribed"
    record = ConsentRecord.objects.get()
    assert (record.method, record.user_agent) == ("unsubscribe_page", "Firefox")
    assert not Suppression.objects.exists()


def test_confirmation_page_unsubscribes_from_all(sent, news):
    response = Client().post(f"/email/u/{token_of(sent)}/", {"scope": "all"})
    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason) == ("reader@example.org",
                                                       "unsubscribed_all")
    assert status_of(sent.contact, news) == ""  # the per-type state is left as it was
    assert Event.objects.get(kind="email.unsubscribed").data["subscription_type_id"] is None


def test_confirmation_page_without_a_choice_changes_nothing(sent, news):
    response = Client().post(f"/email/u/{token_of(sent)}/", {})
    assert response.status_code == 400
    assert status_of(sent.contact, news) == "" and not ConsentRecord.objects.exists()


# --- Rate limits ----------------------------------------------------------------------------

@override_settings(CLARION_EMAIL_LINK_RATE_LIMIT=3)
def test_public_pages_are_rate_limited_per_ip(sent):
    client = Client()
    url = f"/email/u/{token_of(sent)}/"
    codes = [client.get(url, REMOTE_ADDR="198.51.100.7").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get(f"/email/preferences/{token_of(sent)}/", REMOTE_ADDR="198.51.100.7")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    # Another address is not affected.
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code == 200


@override_settings(CLARION_EMAIL_LINK_BAD_TOKEN_LIMIT=2)
def test_guessing_tokens_is_rate_limited(sent):
    client = Client()
    codes = [client.get(f"/email/u/{number}-{'x' * 22}/").status_code for number in range(4)]
    assert codes == [404, 404, 429, 429]
    codes = [one_click(client, f"{number}-{'y' * 22}").status_code for number in range(2)]
    assert codes == [429, 429]


@override_settings(CLARION_EMAIL_LINK_RATE_LIMIT=1, CLARION_ONE_CLICK_PER_MESSAGE_LIMIT=2)
def test_one_click_is_limited_per_message_not_per_provider_address(news):
    # A mailbox provider posts everyone's one-click unsubscribes from one address.
    client = Client()
    messages = [make_message(make_contact(email=f"p{n}@example.org"), news) for n in range(5)]
    for message in messages:
        assert one_click(client, token_of(message), REMOTE_ADDR="192.0.2.1").status_code == 200
    assert Subscription.objects.filter(status="unsubscribed").count() == 5
    assert one_click(client, token_of(messages[0])).status_code == 200
    assert one_click(client, token_of(messages[0])).status_code == 429


# --- Preference centre ----------------------------------------------------------------------

def test_preference_centre_lists_types_and_saves_changes(sent, news):
    offers = make_type("Offers", requires_opt_in=True, description="Discounts and deals")
    make_type("Old", archived=True)
    client = Client()
    url = f"/email/preferences/{token_of(sent)}/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Newsletter" in body and "Offers" in body and "Discounts and deals" in body
    assert "Marketing email" in body  # the type every installation starts with
    assert ">Old<" not in body
    newsletter_box = re.search(rf'<input[^>]*value="{news.pk}"[^>]*>', body).group(0)
    offers_box = re.search(rf'<input[^>]*value="{offers.pk}"[^>]*>', body).group(0)
    assert "checked" in newsletter_box and "checked" not in offers_box

    # Leave the newsletter, join offers (no confirmation needed: the link came by email).
    marketing = SubscriptionType.objects.get(name="Marketing email")
    response = client.post(url, {"action": "save",
                                 "types": [str(offers.pk), str(marketing.pk), "x"]},
                           HTTP_USER_AGENT="Safari", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    assert status_of(sent.contact, news) == "unsubscribed"
    assert status_of(sent.contact, offers) == "subscribed"
    records = {r.subscription_type.name: r for r in ConsentRecord.objects.all()}
    assert records["Newsletter"].action == "unsubscribed"
    assert records["Offers"].action == "subscribed"
    assert {r.method for r in records.values()} == {"preference_centre"}
    assert {r.ip_address for r in records.values()} == {"192.0.2.44"}
    assert {r.user_agent for r in records.values()} == {"Safari"}
    assert "Your preferences are saved." in client.get(url + "?saved=1").content.decode()
    # The marketing type was left ticked: nothing recorded for it.
    assert len(records) == 2


def test_preference_centre_resubscribe(sent, news):
    client = Client()
    url = f"/email/preferences/{token_of(sent)}/"
    one_click(client, token_of(sent))
    client.post(url, {"action": "save", "types": [str(news.pk)]})
    assert status_of(sent.contact, news) == "subscribed"
    assert ConsentRecord.objects.order_by("id").last().action == "resubscribed"


def test_preference_centre_unsubscribe_from_all_and_back(sent, news):
    client = Client()
    url = f"/email/preferences/{token_of(sent)}/"
    client.post(url, {"action": "unsubscribe_all"})
    assert Suppression.objects.get().reason == "unsubscribed_all"
    assert "You have unsubscribed from all email." in client.get(url).content.decode()
    client.post(url, {"action": "resubscribe"})
    assert not Suppression.objects.exists()
    assert list(ConsentRecord.objects.order_by("id").values_list("action", flat=True)) == [
        "unsubscribed_all", "resubscribed"]


def test_preference_centre_cannot_lift_a_bounce(sent):
    services.suppress("reader@example.org", Suppression.Reason.HARD_BOUNCE)
    client = Client()
    url = f"/email/preferences/{token_of(sent)}/"
    assert "We can't send email to this address" in client.get(url).content.decode()
    client.post(url, {"action": "resubscribe"})
    assert Suppression.objects.get().reason == "hard_bounce"


def test_preference_centre_keeps_csrf_protection(sent, news):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/email/preferences/{token_of(sent)}/", {"action": "save"})
    assert response.status_code == 403
    assert status_of(sent.contact, news) == ""


# --- Double opt-in --------------------------------------------------------------------------

def test_double_opt_in_round_trip(django_capture_on_commit_callbacks):
    kind = make_type("Weekly digest", requires_opt_in=True, double_opt_in=True)
    contact = make_contact(email="new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe(contact, kind, method="form", text="Yes, send me the digest")
    assert status_of(contact, kind) == "pending"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["new@example.org"] and "Weekly digest" in email.subject
    link = re.search(r"https?://\S+/email/confirm/(\S+)/", email.body)
    html = email.alternatives[0][0]
    assert link.group(0) in html
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]

    client = Client()
    page = client.get("/" + path)
    assert page.status_code == 200 and "Confirm subscription" in page.content.decode()
    assert status_of(contact, kind) == "pending"  # a GET (a scanner) confirms nothing
    done = client.post("/" + path, HTTP_USER_AGENT="Phone", REMOTE_ADDR="192.0.2.5")
    assert done.status_code == 200 and "Subscription confirmed" in done.content.decode()
    assert status_of(contact, kind) == "subscribed"
    actions = list(ConsentRecord.objects.order_by("id").values_list(
        "action", "method", "text", "ip_address"))
    assert actions == [("subscribed", "form", "Yes, send me the digest", None),
                       ("confirmed", "confirmation_link", "", "192.0.2.5")]
    # Twice is harmless.
    assert client.post("/" + path).status_code == 200
    assert ConsentRecord.objects.count() == 2
    assert [e.data["status"] for e in Event.objects.filter(
        kind="subscription.changed").order_by("id")] == ["pending", "subscribed"]


def test_confirmation_tokens_are_signed_and_expire(monkeypatch):
    kind = make_type("Digest", requires_opt_in=True, double_opt_in=True)
    contact = make_contact(email="c@example.org")
    services.subscribe(contact, kind, method="form")
    token = services.confirmation_token(contact, kind)
    client = Client()
    assert client.get(f"/email/confirm/{token[:-2]}xx/").status_code == 404
    # A message token is not a confirmation token, and the other way round.
    assert client.get(f"/email/preferences/{token}/").status_code == 404
    monkeypatch.setattr(services, "CONFIRM_MAX_AGE", -1)
    assert client.post(f"/email/confirm/{token}/").status_code == 404
    assert status_of(contact, kind) == "pending"


def test_confirming_after_unsubscribing_does_not_resubscribe():
    kind = make_type("Digest", requires_opt_in=True, double_opt_in=True)
    contact = make_contact(email="c@example.org")
    services.subscribe(contact, kind, method="form")
    services.unsubscribe(contact, kind, method="manual")
    response = Client().post(f"/email/confirm/{services.confirmation_token(contact, kind)}/")
    assert "Nothing to confirm" in response.content.decode()
    assert status_of(contact, kind) == "unsubscribed"


# --- The mailto address ---------------------------------------------------------------------

def test_unsubscribe_by_email(sent, news):
    raw = (f"From: Reader <reader@example.org>\r\nTo: unsubscribe@localhost\r\n"
           f"Subject: unsubscribe-{token_of(sent)}\r\n\r\n").encode()
    assert services.handle_unsubscribe_email(raw)
    assert status_of(sent.contact, news) == "unsubscribed"
    record = ConsentRecord.objects.get()
    assert record.method == "mailto" and "reader@example.org" in record.source
    sent.refresh_from_db()
    assert sent.unsubscribed_at is not None
    forged = raw.replace(token_of(sent).encode(), b"1-" + b"a" * 22)
    assert not services.handle_unsubscribe_email(forged)
    assert not services.handle_unsubscribe_email(b"Subject: hello\r\n\r\n")


def test_unsubscribe_page_says_when_it_is_already_done(sent, news):
    client = Client()
    one_click(client, token_of(sent))
    page = client.get(f"/email/u/{token_of(sent)}/").content.decode()
    assert "Reader@Example.org is already unsubscribed from Newsletter." in page
    client.post(f"/email/u/{token_of(sent)}/", {"scope": "all"})
    page = client.get(f"/email/u/{token_of(sent)}/").content.decode()
    assert "already receives no email from us" in page


def test_unsubscribe_from_all_suppresses_the_address_the_message_went_to(sent):
    from clarion.crm.models import Contact

    Contact.objects.filter(pk=sent.contact_id).update(email="new@example.org")
    Client().post(f"/email/u/{token_of(sent)}/", {"scope": "all"})
    assert Suppression.objects.get().email == "reader@example.org"
    assert ConsentRecord.objects.get().email == "Reader@Example.org"


def test_confirmation_emails_are_limited_and_come_from_the_default_sender():
    from clarion.sending.models import SenderIdentity

    SenderIdentity.objects.create(name="News", from_name="Acme News",
                                  from_email="news@acme.test", postal_address="1 Road",
                                  is_default=True)
    kind = make_type("Digest", requires_opt_in=True, double_opt_in=True)
    contact = make_contact(email="target@example.org")
    sent = [services.send_confirmation(contact, kind) for _attempt in range(5)]
    assert sent == [True, True, True, False, False]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].from_email == "Acme News <news@acme.test>"
