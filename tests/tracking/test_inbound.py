"""The inbound endpoint and what each routed report does: bounces, complaints, unsubscribe
mails, and the rest kept for inspection — each processed once."""

import pytest

from clarion.sending.models import Message
from clarion.subscriptions.models import Subscription, SubscriptionType, Suppression
from clarion.subscriptions.queries import is_suppressed
from clarion.tracking.inbound import process_raw_email
from clarion.tracking.models import Notice
from tests.tracking.reports import (
    ARF,
    GMAIL_DSN,
    OUT_OF_OFFICE,
    POSTFIX_DSN,
    QMAIL_PLAIN,
    UNSUBSCRIBE_MAIL,
    report,
)
from tests.tracking.support import events, make_contact, make_message, make_send, token_of

pytestmark = pytest.mark.django_db
SECRET = "s3cret-inbound-key"


@pytest.fixture(autouse=True)
def inbound_secret(settings):
    settings.CLARION_INBOUND_SECRET = SECRET


def post(client, raw: bytes, **headers):
    headers.setdefault("HTTP_X_CLARION_INBOUND_SECRET", SECRET)
    return client.post("/email/inbound/", raw, content_type="message/rfc822", **headers)


def bounce_of(message, template=POSTFIX_DSN, **values) -> bytes:
    return report(template, recipient=message.email, message_id=message.message_id, **values)


# --- The endpoint ---------------------------------------------------------------------------

def test_endpoint_refuses_posts_without_the_secret(client):
    message = make_message()
    raw = bounce_of(message)
    assert client.post("/email/inbound/", raw, content_type="message/rfc822").status_code == 403
    assert post(client, raw, HTTP_X_CLARION_INBOUND_SECRET="wrong").status_code == 403
    assert client.get("/email/inbound/").status_code in (403, 405)
    assert Notice.objects.count() == 0
    assert Message.objects.get(pk=message.pk).bounced_at is None


def test_endpoint_is_off_while_no_secret_is_configured(client, settings):
    settings.CLARION_INBOUND_SECRET = ""
    response = post(client, bounce_of(make_message()), HTTP_X_CLARION_INBOUND_SECRET="")
    assert response.status_code == 403


def test_endpoint_accepts_the_secret_in_the_url_and_a_form_upload(client):
    message = make_message()
    response = client.post(f"/email/inbound/?secret={SECRET}", bounce_of(message),
                           content_type="message/rfc822")
    assert response.json() == {"outcome": "bounce", "matched": True}
    other = make_message()
    from django.core.files.uploadedfile import SimpleUploadedFile
    upload = SimpleUploadedFile("bounce.eml", bounce_of(other, GMAIL_DSN, suffix="2"))
    response = client.post("/email/inbound/", {"email": upload},
                           HTTP_X_CLARION_INBOUND_SECRET=SECRET)
    assert response.json()["outcome"] == "bounce"
    assert Message.objects.get(pk=other.pk).bounce_kind == "hard"


# --- Bounces --------------------------------------------------------------------------------

def test_hard_bounce_marks_the_message_suppresses_and_emits_once(client):
    message = make_message()
    assert post(client, bounce_of(message)).json() == {"outcome": "bounce", "matched": True}
    message.refresh_from_db()
    assert message.bounce_kind == "hard" and message.bounced_at is not None
    assert is_suppressed(message.email)
    assert Suppression.objects.get().reason == "hard_bounce"
    [bounced] = events("email.bounced", message)
    assert bounced.data["bounce"] == "hard" and "User unknown" in bounced.data["diagnostic"]
    assert bounced.data["send_id"] == message.send_id
    assert bounced.contact_id == message.contact_id


def test_the_same_report_twice_changes_nothing(client):
    message = make_message()
    raw = bounce_of(message)
    post(client, raw)
    assert post(client, raw).json() == {"outcome": "duplicate"}
    assert len(events("email.bounced")) == 1
    assert Notice.objects.count() == 1


def test_another_report_about_the_same_bounce_emits_nothing_new(client):
    message = make_message()
    post(client, bounce_of(message))
    post(client, bounce_of(message, GMAIL_DSN))  # a different report, same happening
    assert Notice.objects.count() == 2
    assert len(events("email.bounced")) == 1


def test_soft_bounce_is_recorded_without_suppressing(client):
    message = make_message()
    post(client, bounce_of(message, status="5.2.2", code="552", text="Mailbox full"))
    message.refresh_from_db()
    assert message.bounce_kind == "soft"
    assert not is_suppressed(message.email)
    assert events("email.bounced", message)[0].data["bounce"] == "soft"


def test_a_soft_bounce_can_turn_hard_but_not_back(client):
    message = make_message()
    post(client, bounce_of(message, status="4.4.1", code="451", text="timeout"))
    post(client, bounce_of(message, GMAIL_DSN))
    post(client, bounce_of(message, status="4.4.1", code="451", text="timeout",
                           template=POSTFIX_DSN.replace("3F2A41C0040@", "OTHER@")))
    message.refresh_from_db()
    assert message.bounce_kind == "hard"
    assert [e.data["bounce"] for e in events("email.bounced")] == ["soft", "hard"]


def test_soft_bounces_in_a_row_suppress_the_address(client, settings):
    settings.CLARION_SOFT_BOUNCE_LIMIT = 3
    contact = make_contact()
    messages = [make_message(make_send(), contact, sent_seconds_ago=1000 - i) for i in range(3)]
    for number, message in enumerate(messages):
        raw = bounce_of(message, status="5.2.2", code="552", text="Mailbox full").replace(
            b"3F2A41C0040@", f"Q{number}@".encode())
        post(client, raw)
        assert is_suppressed(contact.email) == (number == 2)
    assert Suppression.objects.get().reason == "hard_bounce"


def test_a_message_that_did_not_bounce_breaks_the_row(client, settings):
    settings.CLARION_SOFT_BOUNCE_LIMIT = 2
    contact = make_contact()
    older = make_message(make_send(), contact, sent_seconds_ago=300)
    make_message(make_send(), contact, sent_seconds_ago=200)  # delivered fine
    newest = make_message(make_send(), contact, sent_seconds_ago=100)
    for number, message in enumerate([older, newest]):
        post(client, bounce_of(message, status="4.2.2", code="452", text="full").replace(
            b"3F2A41C0040@", f"R{number}@".encode()))
    assert not is_suppressed(contact.email)


def test_bounce_found_by_the_token_in_the_returned_text(client):
    message = make_message()
    raw = report(QMAIL_PLAIN, recipient=message.email, code="553",
                 text="sorry, no mailbox here by that name. (#5.1.1)", token=token_of(message))
    assert post(client, raw).json() == {"outcome": "bounce", "matched": True}
    assert Message.objects.get(pk=message.pk).bounce_kind == "hard"


def test_a_forged_token_matches_nothing_and_is_kept_for_inspection(client):
    message = make_message()
    forged = token_of(message)[:-3] + "AAA"
    raw = report(QMAIL_PLAIN, recipient=message.email, code="550", text="no", token=forged)
    assert post(client, raw).json() == {"outcome": "bounce", "matched": False}
    assert not is_suppressed(message.email)
    assert "qmail-send" in Notice.objects.get().raw


# --- Complaints -----------------------------------------------------------------------------

def test_complaint_suppresses_unsubscribes_and_emits_once(client):
    newsletter = SubscriptionType.objects.create(name="Newsletter")
    message = make_message(make_send(subscription_type=newsletter))
    raw = report(ARF, recipient=message.email, message_id=message.message_id)
    assert post(client, raw).json() == {"outcome": "complaint", "matched": True}
    post(client, raw.replace(b"arf-1@", b"arf-2@"))  # the loop reported it twice
    message.refresh_from_db()
    assert message.complained_at is not None and message.unsubscribed_at is not None
    assert Suppression.objects.get().reason == "complaint"
    assert Subscription.objects.get(contact=message.contact).status == "unsubscribed"
    assert len(events("email.complained", message)) == 1
    assert len(events("email.unsubscribed", message)) == 1


# --- Everything else ------------------------------------------------------------------------

def test_unsubscribe_mail_goes_to_the_consent_service(client):
    newsletter = SubscriptionType.objects.create(name="Newsletter")
    message = make_message(make_send(subscription_type=newsletter))
    raw = report(UNSUBSCRIBE_MAIL, recipient=message.email, token=token_of(message))
    assert post(client, raw).json()["outcome"] == "unsubscribe"
    assert Subscription.objects.get(contact=message.contact).status == "unsubscribed"


def test_other_mail_is_kept_for_inspection(client):
    message = make_message()
    raw = report(OUT_OF_OFFICE, recipient=message.email, message_id=message.message_id)
    assert post(client, raw).json() == {"outcome": "other", "matched": False}
    notice = Notice.objects.get()
    assert "out of the office" in notice.raw
    message.refresh_from_db()
    assert message.bounced_at is None and message.complained_at is None


def test_processing_the_same_email_directly_is_idempotent():
    message = make_message()
    raw = bounce_of(message)
    assert process_raw_email(raw, source=Notice.Source.MAILBOX).kind == "bounce"
    assert process_raw_email(raw, source=Notice.Source.MAILBOX) is None
    assert len(events("email.bounced")) == 1


def test_a_success_notification_marks_the_message_delivered_once(client):
    message = make_message()
    raw = bounce_of(message, status="2.0.0", code="250", action="delivered", text="OK")
    assert post(client, raw).json() == {"outcome": "delivered", "matched": True}
    post(client, raw.replace(b"3F2A41C0040@", b"AGAIN@"))
    assert Message.objects.get(pk=message.pk).delivered_at is not None
    assert len(events("email.delivered", message)) == 1
    assert not is_suppressed(message.email)
