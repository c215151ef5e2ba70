"""Sending a test of an email to oneself: rendered as a contact or a sample recipient,
HTML and text parts, "[Test]" subject, links that cannot unsubscribe anybody; through the
locmem mailer and through a real SMTP server."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from clarion.crm.models import Contact
from clarion.emails.blocks import new_block
from clarion.emails.models import Email
from clarion.emails.personalize import PersonalizationError
from clarion.emails.services import TestSendError, send_test
from clarion.sending.models import SenderIdentity
from clarion.sending.tokens import message_pk_from_token
from clarion.settings import mailer_from_url

pytestmark = pytest.mark.django_db

DOCUMENT = {"blocks": [
    {"type": "text", "html": '<p>Hello {{ contact.first_name|default("there") }}</p>'},
    {"type": "button", "label": "Read", "url": "https://example.com/read"},
    new_block("footer")]}


@pytest.fixture
def design(admin_user):
    return Email.objects.create(name="Spring", subject="News for {{ contact.first_name }}",
                                preheader="Inside", document=DOCUMENT, owner=admin_user)


@pytest.fixture
def sender():
    return SenderIdentity.objects.create(name="Main", from_name="Clarion Team",
                                         from_email="news@example.com",
                                         reply_to="replies@example.com",
                                         postal_address="5 Harbour Road, Leith",
                                         is_default=True)


def test_a_test_send_arrives_with_html_and_text_parts(design, sender, admin_user):
    send_test(design, to="me@example.com", actor=admin_user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Test] News for Alex"
    assert message.to == ["me@example.com"]
    assert message.from_email == "Clarion Team <news@example.com>"
    assert message.reply_to == ["replies@example.com"]
    assert "Hello Alex" in message.body and "Read: https://example.com/read" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Hello Alex" in html
    assert "5 Harbour Road, Leith" in html


def test_a_test_send_renders_as_the_chosen_contact(design, sender, admin_user):
    ada = Contact.objects.create(email="ada@example.com", first_name="Ada")
    send_test(design, to="me@example.com", as_contact=ada, actor=admin_user)
    assert mail.outbox[0].subject == "[Test] News for Ada"
    assert "Hello Ada" in mail.outbox[0].alternatives[0][0]
    assert mail.outbox[0].to == ["me@example.com"]  # never to the contact


def test_the_unsubscribe_link_of_a_test_cannot_unsubscribe_anybody(design, sender,
                                                                   admin_user):
    send_test(design, to="me@example.com", actor=admin_user)
    html = mail.outbox[0].alternatives[0][0]
    assert "/email/u/preview/" in html and "/email/preferences/preview/" in html
    assert message_pk_from_token("preview") is None  # stands for no message at all
    assert "{{" not in html


def test_without_a_sender_the_site_address_sends(design, admin_user, settings):
    send_test(design, to="me@example.com", actor=admin_user)
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.parametrize("to, problem", [("", "Enter an address"),
                                         ("not-an-address", "is not an email address"),
                                         ([f"p{n}@example.com" for n in range(6)], "at most")])
def test_bad_recipients_are_refused(design, admin_user, to, problem):
    with pytest.raises(TestSendError, match=problem):
        send_test(design, to=to, actor=admin_user)
    assert mail.outbox == []


def test_test_sends_are_rate_limited_per_person(design, admin_user, monkeypatch):
    monkeypatch.setattr("clarion.emails.services.TEST_SENDS_PER_HOUR", 2)
    send_test(design, to="me@example.com", actor=admin_user)
    send_test(design, to="me@example.com", actor=admin_user)
    with pytest.raises(TestSendError):
        send_test(design, to="me@example.com", actor=admin_user)
    assert len(mail.outbox) == 2


def test_a_token_that_cannot_render_raises_a_personalization_error(admin_user):
    broken = Email(name="Broken", subject="Hi", document={"blocks": [
        {"type": "text", "html": "<p>{{ contact.first_name + 1 }}</p>"}]})
    with pytest.raises(PersonalizationError):
        send_test(broken, to="me@example.com", actor=admin_user)
    assert mail.outbox == []


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{controller.port}")}
    yield collector
    controller.stop()


def test_a_test_send_goes_through_a_real_smtp_server(design, sender, admin_user,
                                                     smtp_server):
    send_test(design, to=["me@example.com", "you@example.com"], actor=admin_user)
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "news@example.com"
    assert envelope.rcpt_tos == ["me@example.com", "you@example.com"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["Subject"] == "[Test] News for Alex"
    assert received["X-Clarion-Test"] == "1"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Hello Alex" in text and "Hello Alex" in html
    assert "Unsubscribe: " in text and "/email/u/preview/" in text
