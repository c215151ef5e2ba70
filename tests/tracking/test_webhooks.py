"""Email services' webhooks through anymail: authenticated, matched to our messages, applied
once each."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from django.core.mail import EmailMessage
from django.utils import timezone

from clarion.sending.models import Message
from clarion.subscriptions.models import Subscription, SubscriptionType
from clarion.subscriptions.queries import is_suppressed
from clarion.tracking.models import EspMessage, Notice
from tests.tracking.support import HUMAN_AGENT, LINKS, events, make_message, make_send, token_of

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
BASIC = "clarion:webhook-pass"


@pytest.fixture
def anymail_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": BASIC}
    return settings.ANYMAIL


def basic_auth(credentials=BASIC) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


# --- Mailgun --------------------------------------------------------------------------------

def mailgun_payload(event_data: dict, *, key=SIGNING_KEY) -> dict:
    timestamp, token = str(int(time.time())), uuid.uuid4().hex + uuid.uuid4().hex[:18]
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": {"id": uuid.uuid4().hex[:22], "timestamp": time.time(), **event_data}}


def mailgun_event(message, event: str, **extra) -> dict:
    return {"event": event, "recipient": message.email, "tags": [], "user-variables": {},
            "message": {"headers": {"message-id": message.message_id.strip("<>"),
                                    "to": message.email, "from": "news@mail.example.com",
                                    "subject": "Spring news"}},
            **extra}


def post_mailgun(client, payload, **headers):
    return client.post("/email/webhooks/mailgun/tracking/", json.dumps(payload),
                       content_type="application/json", **{**basic_auth(), **headers})


def test_mailgun_delivered_marks_the_message_once(client, anymail_settings):
    message = make_message()
    payload = mailgun_payload(mailgun_event(message, "delivered", **{
        "delivery-status": {"code": 250, "message": "OK", "description": ""}}))
    assert post_mailgun(client, payload).status_code == 200
    assert post_mailgun(client, payload).status_code == 200  # Mailgun retried it
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert len(events("email.delivered", message)) == 1
    assert Notice.objects.filter(source="esp").count() == 1


def test_mailgun_permanent_failure_is_a_hard_bounce(client, anymail_settings):
    message = make_message()
    payload = mailgun_payload(mailgun_event(message, "failed", severity="permanent",
                                            reason="bounce", **{"delivery-status": {
                                                "code": 550, "description": "",
                                                "message": "5.1.1 The email account that you "
                                                           "tried to reach does not exist"}}))
    assert post_mailgun(client, payload).status_code == 200
    message.refresh_from_db()
    assert message.bounce_kind == "hard"
    assert is_suppressed(message.email)
    assert events("email.bounced", message)[0].data["bounce"] == "hard"


def test_mailgun_temporary_failure_is_not_a_bounce(client, anymail_settings):
    message = make_message()
    payload = mailgun_payload(mailgun_event(message, "failed", severity="temporary", **{
        "delivery-status": {"code": 451, "message": "try later", "description": ""}}))
    post_mailgun(client, payload)
    assert Message.objects.get(pk=message.pk).bounced_at is None
    assert Notice.objects.get().kind == "delay"


def test_mailgun_click_and_open_are_counted(client, anymail_settings):
    message = make_message()
    post_mailgun(client, mailgun_payload(mailgun_event(
        message, "clicked", url=LINKS[1], **{"client-info": {"user-agent": HUMAN_AGENT}})))
    post_mailgun(client, mailgun_payload(mailgun_event(
        message, "opened", **{"client-info": {"user-agent": HUMAN_AGENT}})))
    message.refresh_from_db()
    assert (message.click_count, message.open_count) == (1, 2)
    [clicked] = events("email.clicked", message)
    assert clicked.data["url"] == LINKS[1] and clicked.data["link"] == 1


def test_mailgun_rejects_a_bad_signature(client, anymail_settings):
    message = make_message()
    payload = mailgun_payload(mailgun_event(message, "complained"), key="not-the-key")
    assert post_mailgun(client, payload).status_code == 400
    assert Message.objects.get(pk=message.pk).complained_at is None


def test_mailgun_rejects_wrong_basic_auth_when_one_is_configured(client, anymail_settings):
    message = make_message()
    payload = mailgun_payload(mailgun_event(message, "complained"))
    assert post_mailgun(client, payload, **basic_auth("clarion:wrong")).status_code == 400
    assert Message.objects.get(pk=message.pk).complained_at is None


def test_mailgun_endpoint_is_404_until_a_signing_key_is_set(client, settings):
    settings.ANYMAIL = {}
    payload = mailgun_payload(mailgun_event(make_message(), "delivered"))
    assert post_mailgun(client, payload).status_code == 404


# --- Postmark -------------------------------------------------------------------------------

def post_postmark(client, payload, **headers):
    return client.post("/email/webhooks/postmark/tracking/", json.dumps(payload),
                       content_type="application/json", **{**basic_auth(), **headers})


def postmark_id(message) -> str:
    """Postmark's own id for a message, remembered as anymail's post_send would."""
    esp_id = str(uuid.uuid4())
    EspMessage.objects.create(esp="Postmark", esp_message_id=esp_id, message=message)
    return esp_id


def test_postmark_hard_bounce_matched_by_postmarks_own_id(client, anymail_settings):
    message = make_message()
    payload = {"RecordType": "Bounce", "ID": 4323372036854775807, "Type": "HardBounce",
               "TypeCode": 1, "Name": "Hard bounce", "Tag": "", "MessageStream": "outbound",
               "MessageID": postmark_id(message), "ServerID": 23,
               "Description": "The server was unable to deliver your message.",
               "Details": "smtp;550 5.1.1 The email account does not exist.",
               "Email": message.email, "From": "news@mail.example.com",
               "BouncedAt": "2026-03-05T16:33:54.9070259Z", "Inactive": True,
               "CanActivate": True, "Subject": "Spring news", "Metadata": {}}
    assert post_postmark(client, payload).status_code == 200
    assert post_postmark(client, payload).status_code == 200
    message.refresh_from_db()
    assert message.bounce_kind == "hard" and is_suppressed(message.email)
    assert len(events("email.bounced")) == 1


def test_postmark_soft_bounce(client, anymail_settings):
    message = make_message()
    payload = {"RecordType": "Bounce", "ID": 42, "Type": "SoftBounce", "TypeCode": 4096,
               "MessageID": postmark_id(message), "Email": message.email,
               "Details": "smtp;452 4.2.2 mailbox full", "BouncedAt": "2026-03-05T16:33:54Z"}
    post_postmark(client, payload)
    assert Message.objects.get(pk=message.pk).bounce_kind == "soft"
    assert not is_suppressed(message.email)


def test_postmark_spam_complaint_matched_by_token_metadata(client, anymail_settings):
    newsletter = SubscriptionType.objects.create(name="Newsletter")
    message = make_message(make_send(subscription_type=newsletter))
    payload = {"RecordType": "SpamComplaint", "ID": 77, "Type": "SpamComplaint",
               "TypeCode": 512, "MessageID": str(uuid.uuid4()), "Email": message.email,
               "BouncedAt": "2026-03-05T16:40:00Z",
               "Metadata": {"clarion_token": token_of(message)}}
    assert post_postmark(client, payload).status_code == 200
    message.refresh_from_db()
    assert message.complained_at is not None
    assert Subscription.objects.get(contact=message.contact).status == "unsubscribed"
    assert len(events("email.complained")) == 1


def test_postmark_open_by_a_person_and_by_apple_privacy_protection(client, anymail_settings):
    message = make_message()
    esp_id = postmark_id(message)
    now = timezone.now()
    for agent, at in [(HUMAN_AGENT, now), ("Mozilla/5.0", now + timedelta(seconds=1))]:
        post_postmark(client, {"RecordType": "Open", "FirstOpen": True, "MessageID": esp_id,
                               "UserAgent": agent, "ReceivedAt": at.isoformat(),
                               "Recipient": message.email, "MessageStream": "outbound"})
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (1, 1)
    assert len(events("email.opened")) == 1


def test_postmark_delivery_and_unknown_messages(client, anymail_settings):
    message = make_message()
    post_postmark(client, {"RecordType": "Delivery", "MessageID": postmark_id(message),
                           "Recipient": message.email, "DeliveredAt": "2026-03-05T16:33:54Z",
                           "Details": "OK", "MessageStream": "outbound"})
    post_postmark(client, {"RecordType": "Delivery", "MessageID": str(uuid.uuid4()),
                           "Recipient": "stranger@example.org",
                           "DeliveredAt": "2026-03-05T16:33:54Z", "Details": "OK"})
    assert Message.objects.get(pk=message.pk).delivered_at is not None
    assert len(events("email.delivered")) == 1
    assert Notice.objects.filter(message__isnull=True).count() == 1


def test_postmark_needs_basic_auth(client, anymail_settings, settings):
    message = make_message()
    payload = {"RecordType": "Delivery", "MessageID": postmark_id(message),
               "Recipient": message.email, "DeliveredAt": "2026-03-05T16:33:54Z"}
    assert post_postmark(client, payload, HTTP_AUTHORIZATION="").status_code == 400
    assert post_postmark(client, payload, **basic_auth("x:y")).status_code == 400
    settings.ANYMAIL = {}  # no secret configured: the endpoint is closed, not open to all
    assert post_postmark(client, payload).status_code == 404
    assert Message.objects.get(pk=message.pk).delivered_at is None


# --- Sending through an anymail backend -----------------------------------------------------

def test_post_send_remembers_the_services_id_by_our_message_id():
    message = make_message()
    mail = EmailMessage("Spring news", "Hi", "news@mail.example.com", [message.email],
                        headers={"Message-ID": message.message_id})
    AnymailTestBackend().send_messages([mail])
    remembered = EspMessage.objects.get()
    assert remembered.esp == "Test" and remembered.message_id == message.pk
    assert remembered.esp_message_id == str(mail.anymail_status.message_id)


def test_post_send_ignores_mail_that_is_not_a_message():
    mail = EmailMessage("Password reset", "Hi", "clarion@example.com", ["x@example.org"])
    AnymailTestBackend().send_messages([mail])
    assert not EspMessage.objects.exists()


# --- SendGrid and Amazon SES ----------------------------------------------------------------

def test_sendgrid_events_with_machine_open_flag(client, anymail_settings):
    message = make_message()
    anymail_id = str(uuid.uuid4())
    EspMessage.objects.create(esp="SendGrid", esp_message_id=anymail_id, message=message)
    now = int(time.time())
    batch = [
        {"email": message.email, "timestamp": now, "event": "open", "anymail_id": anymail_id,
         "sg_event_id": "ev-1", "sg_message_id": "sg.1", "useragent": HUMAN_AGENT,
         "sg_machine_open": True},
        {"email": message.email, "timestamp": now + 5, "event": "bounce", "type": "bounce",
         "anymail_id": anymail_id, "sg_event_id": "ev-2", "sg_message_id": "sg.1",
         "status": "5.1.1", "reason": "550 5.1.1 The email account does not exist"},
    ]
    with pytest.warns(Warning):  # anymail no longer officially supports SendGrid
        response = client.post("/email/webhooks/sendgrid/tracking/", json.dumps(batch),
                               content_type="application/json", **basic_auth())
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (0, 1)
    assert message.bounce_kind == "hard"


def test_amazon_ses_endpoint_is_closed_without_a_secret(client, settings):
    settings.ANYMAIL = {}
    response = client.post("/email/webhooks/amazon_ses/tracking/", "{}",
                           content_type="text/plain")
    assert response.status_code == 404


def test_mailgun_unsubscribe_unsubscribes_from_the_sends_type(client, anymail_settings):
    newsletter = SubscriptionType.objects.create(name="Newsletter")
    message = make_message(make_send(subscription_type=newsletter))
    post_mailgun(client, mailgun_payload(mailgun_event(message, "unsubscribed")))
    assert Subscription.objects.get(contact=message.contact).status == "unsubscribed"
    assert len(events("email.unsubscribed", message)) == 1


def test_a_failure_to_remember_the_id_never_fails_the_send(monkeypatch):
    message = make_message()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(EspMessage.objects, "bulk_create", broken)
    mail = EmailMessage("Spring news", "Hi", "news@mail.example.com", [message.email],
                        headers={"Message-ID": message.message_id})
    assert AnymailTestBackend().send_messages([mail]) == 1


def test_old_routine_service_events_are_forgotten_but_bounces_stay(settings):
    from datetime import timedelta

    from clarion.core import scheduler

    settings.CLARION_TRACKING_NOTICE_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    for n, kind in enumerate(["delivered", "opened", "clicked", "bounce", "complaint"]):
        Notice.objects.create(key=f"old{n}", source="esp", kind=kind, received_at=old)
    Notice.objects.create(key="new", source="esp", kind="opened")
    scheduler.JOBS["prune-tracking-notices"].enqueue()  # run now by the immediate backend
    assert sorted(Notice.objects.values_list("key", flat=True)) == ["new", "old3", "old4"]
