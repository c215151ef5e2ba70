"""Delivering to a real SMTP server: what is sent, and what each kind of answer does."""

import email
from collections import Counter
from datetime import timedelta

import dkim
import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.sending import conf, services, signing
from clarion.sending.delivery import Worker, claim_due_messages
from clarion.sending.models import Message, Send
from clarion.sending.tokens import message_token
from clarion.subscriptions.models import Subscription, SubscriptionType, Suppression
from tests.sending.smtp_server import Faults, SMTPServer
from tests.sending.support import make_contacts, make_send, make_sender

pytestmark = pytest.mark.django_db

FAST = {"CLARION_SEND_RETRY_BASE": 0.0, "CLARION_SEND_MAX_ATTEMPTS": 40}


def deliver(server: SMTPServer, **settings) -> Worker:
    with override_settings(MAILERS=server.mailer(timeout=1), **{**FAST, **settings}):
        worker = Worker()
        try:
            worker.run(until_idle=True, idle_sleep=0.05, time_budget=60)
        finally:
            worker.close()
    return worker


def resolved(count: int = 3, **send_fields) -> Send:
    make_contacts(count)
    return services.resolve_recipients(make_send(**send_fields), Contact.objects.all())


def test_every_recipient_gets_one_personalized_message_with_one_click_unsubscribe():
    send = resolved(3)
    with SMTPServer() as server:
        deliver(server)
    messages = Message.objects.filter(send=send)
    assert set(messages.values_list("status", flat=True)) == {"sent"}
    assert server.handler.deliveries == Counter({m.message_id: 1 for m in messages})
    sample = messages.get(contact__first_name="P1")
    raw = email.message_from_bytes(server.handler.messages[sample.message_id])
    token = message_token(sample.pk)
    assert raw["Subject"] == "Hello P1" and raw["To"] == sample.email
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/email/u/{token}/" in raw["List-Unsubscribe"] and "mailto:" in raw[
        "List-Unsubscribe"]
    html = next(p for p in raw.walk() if p.get_content_type() == "text/html")
    body = html.get_payload(decode=True).decode()
    assert f"/t/o/{token}.gif" in body and f"/t/c/{token}/0/" in body
    assert "https://example.com/offer" not in body  # the link goes through the redirect
    assert "1 Main Street" in body
    assert sample.sent_at and sample.smtp_code == 250 and sample.attempts == 1
    sent = Event.objects.filter(kind="email.sent", contact_id=sample.contact_id).get()
    assert sent.data == {"send_id": send.pk, "message_id": sample.pk, "subject": "Hello P1",
                         "variant": 0}
    send.refresh_from_db()
    assert send.status == Send.Status.DONE and send.finished_at


def test_a_temporary_refusal_defers_with_backoff():
    send = resolved(1)
    with SMTPServer(Faults(rcpt_451=1.0)) as server:
        with override_settings(MAILERS=server.mailer(timeout=1), CLARION_SEND_RETRY_BASE=60):
            worker = Worker()
            worker.run_once()
            worker.close()
    message = Message.objects.get(send=send)
    assert message.status == "deferred" and message.smtp_code == 451
    assert message.attempts == 1
    assert timedelta(seconds=29) < message.due_at - timezone.now() <= timedelta(seconds=60)
    assert not server.handler.deliveries


def test_backoff_doubles_with_each_attempt():
    from clarion.sending.delivery import _backoff

    settings = conf.SendSettings({}, 200, 300, 8, 60, 3600, "")
    for attempt, ceiling in [(1, 60), (2, 120), (3, 240), (8, 3600)]:
        delays = [_backoff(attempt, settings) for _ in range(50)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling


def test_retries_end_in_failure_after_the_last_attempt():
    send = resolved(1)
    with SMTPServer(Faults(data_451=1.0)) as server:
        deliver(server, CLARION_SEND_MAX_ATTEMPTS=3)
    message = Message.objects.get(send=send)
    assert (message.status, message.reason, message.attempts) == (
        "failed", "retries_exhausted", 3)
    assert Event.objects.filter(kind="email.failed", contact_id=message.contact_id).count() == 1


def test_an_unknown_recipient_fails_and_the_address_is_suppressed():
    send = resolved(1)
    with SMTPServer(Faults(rcpt_550=1.0)) as server:
        deliver(server)
    message = Message.objects.get(send=send)
    assert (message.status, message.reason, message.smtp_code) == ("failed", "hard_bounce", 550)
    assert message.bounce_kind == "hard"
    assert Suppression.objects.filter(email=message.email, reason="hard_bounce").exists()
    failed = Event.objects.get(kind="email.failed")
    assert failed.data["reason"] == "hard_bounce" and failed.data["smtp_code"] == 550


def test_a_refused_message_fails_without_suppressing_the_address():
    send = resolved(1)
    with SMTPServer(Faults(data_550=1.0)) as server:
        deliver(server)
    message = Message.objects.get(send=send)
    assert (message.status, message.reason) == ("failed", "rejected")
    assert not Suppression.objects.exists()


def test_someone_who_unsubscribed_after_resolution_is_skipped_at_claim_time():
    kind = SubscriptionType.objects.create(name="News")
    send = resolved(2, subscription_type=kind)
    leaver = Contact.objects.order_by("pk").first()
    Subscription.objects.create(contact=leaver, subscription_type=kind, status="unsubscribed")
    with SMTPServer() as server:
        deliver(server)
    assert Message.objects.get(send=send, contact=leaver).status == "skipped"
    assert Message.objects.get(send=send, contact=leaver).reason == "unsubscribed"
    assert sum(server.handler.deliveries.values()) == 1


def test_paused_and_cancelled_sends_are_not_claimed():
    paused = resolved(2)
    services.pause(paused)
    with override_settings(MAILERS=SMTPServer().mailer()):
        assert claim_due_messages(conf.current()) == []
    services.resume(paused)
    services.cancel(paused)
    assert claim_due_messages(conf.current()) == []


def test_future_messages_wait_for_their_time():
    make_contacts(1)
    services.resolve_recipients(make_send(), Contact.objects.all(),
                                due_at=timezone.now() + timedelta(hours=1))
    assert claim_due_messages(conf.current()) == []


def test_an_expired_lease_is_retried_with_the_same_message_id_and_counted_uncertain():
    send = resolved(1)
    (claimed,) = claim_due_messages(conf.current())  # a worker that then died
    Message.objects.filter(pk=claimed.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1))
    with SMTPServer() as server:
        deliver(server)
    message = Message.objects.get(send=send)
    assert message.status == "sent" and message.attempts == 2
    assert message.uncertain_attempts == 1
    assert list(server.handler.deliveries) == [claimed.message_id]


def test_a_live_lease_is_left_alone():
    resolved(1)
    assert len(claim_due_messages(conf.current())) == 1
    assert claim_due_messages(conf.current()) == []


def test_a_late_answer_after_the_lease_was_taken_over_is_not_recorded_twice():
    from clarion.sending.delivery import SendInfo, record
    from clarion.sending.transport import SENT, Outcome

    send = resolved(1)
    (first,) = claim_due_messages(conf.current())
    Message.objects.filter(pk=first.pk).update(lease_until=timezone.now() - timedelta(1))
    (second,) = claim_due_messages(conf.current())
    info = SendInfo(send=Send.objects.get(pk=send.pk), campaign_id=None)
    assert record(first, Outcome(SENT, 250), info, settings=conf.current()) == "lost"
    assert record(second, Outcome(SENT, 250), info, settings=conf.current()) == "sent"
    assert Event.objects.filter(kind="email.sent").count() == 1


def test_a_domain_over_its_rate_is_deferred_not_dropped():
    make_contacts(14)  # two of each of seven domains
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    limits = {"example0.com": 1}
    with override_settings(CLARION_SEND_DOMAIN_LIMITS=limits):
        claimed = claim_due_messages(conf.current())
    assert len(claimed) == 13
    held_back = Message.objects.get(send=send, domain="example0.com", status="deferred")
    assert held_back.attempts == 0 and held_back.due_at > timezone.now()


def test_dkim_signature_verifies_against_the_published_key():
    key = signing.generate_private_key()
    sender = make_sender(dkim_domain="acme.example", dkim_selector="clarion1",
                         dkim_private_key=key)
    send = resolved(1, sender=sender)
    with SMTPServer() as server:
        deliver(server)
    raw = server.handler.messages[Message.objects.get(send=send).message_id]
    name, value = signing.dns_record(domain="acme.example", selector="clarion1",
                                     private_pem=key)
    assert name == "clarion1._domainkey.acme.example" and value.startswith("v=DKIM1; k=rsa; p=")
    records = {name.encode() + b".": value.encode()}
    assert dkim.verify(raw, dnsfunc=lambda qname, timeout=5: records.get(qname))
    tampered = raw.replace(b"Subject: Hello", b"Subject: Jello")
    assert not dkim.verify(tampered, dnsfunc=lambda qname, timeout=5: records.get(qname))
    signed = email.message_from_bytes(raw)["DKIM-Signature"]
    assert "list-unsubscribe" in signed and "list-unsubscribe-post" in signed


def test_other_mail_backends_receive_the_message_through_django(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    send = resolved(1)
    worker = Worker()
    worker.run(until_idle=True, idle_sleep=0.05, time_budget=20)
    (sent,) = mail.outbox
    message = Message.objects.get(send=send)
    assert message.status == "sent" and sent.extra_headers["Message-ID"] == message.message_id
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_random_refusals_drops_and_stalls_end_in_exactly_one_delivery_or_a_failure():
    send = resolved(300)
    faults = Faults(rcpt_421=0.03, rcpt_451=0.05, rcpt_550=0.03, data_451=0.05,
                    data_550=0.03, drop_mid_data=0.03, accept_then_drop=0.03, stall=0.01,
                    stall_seconds=1.5, seed=11)
    with SMTPServer(faults) as server:
        deliver(server)
    messages = list(Message.objects.filter(send=send))
    handler = server.handler
    assert Counter(m.status for m in messages).keys() <= {"sent", "failed"}
    extra = 0
    for message in messages:
        arrived = handler.deliveries[message.message_id]
        if message.status == "sent":
            assert arrived >= 1
            extra += arrived - 1
        else:
            assert message.reason in ("hard_bounce", "rejected")
            extra += arrived
    print(f"\nfaults injected: {dict(handler.injected)}; copies beyond one: {extra}; "
          f"accepted before a drop: {handler.accepted_before_drop}; uncertain attempts: "
          f"{sum(m.uncertain_attempts for m in messages)}")
    assert extra <= handler.accepted_before_drop
    bounced = {m.email for m in messages if m.reason == "hard_bounce"}
    assert bounced and bounced == set(Suppression.objects.values_list("email", flat=True))
    assert Event.objects.filter(kind="email.sent").count() == sum(
        m.status == "sent" for m in messages)


def test_a_message_whose_worker_keeps_dying_fails_once_its_attempts_are_used():
    send = resolved(1)
    with override_settings(CLARION_SEND_MAX_ATTEMPTS=2):
        for _ in range(2):  # two workers that died mid-conversation
            (claimed,) = claim_due_messages(conf.current())
            Message.objects.filter(pk=claimed.pk).update(
                lease_until=timezone.now() - timedelta(seconds=1))
        assert claim_due_messages(conf.current()) == []
    message = Message.objects.get(send=send)
    assert (message.status, message.reason, message.uncertain_attempts) == (
        "failed", "retries_exhausted", 2)
    failed = Event.objects.get(kind="email.failed")
    assert failed.data == {"send_id": send.pk, "message_id": message.pk,
                           "reason": "retries_exhausted", "smtp_code": None}
