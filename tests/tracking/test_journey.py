"""A message sent by the real send engine to a real SMTP server, then opened, clicked and
bounced through the links and headers it actually carried."""

import email
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from clarion.crm.models import Contact
from clarion.sending import services as sending
from clarion.sending.models import Message
from tests.sending.smtp_server import SMTPServer
from tests.sending.support import make_contacts, make_send
from tests.sending.test_delivery import deliver
from tests.tracking.reports import POSTFIX_DSN, report
from tests.tracking.support import HUMAN_AGENT, events

pytestmark = pytest.mark.django_db


def test_a_delivered_message_is_opened_clicked_and_bounced_through_its_own_links(
        client, settings):
    settings.SITE_URL = "https://crm.example.com"
    settings.CLARION_INBOUND_SECRET = "inbound"
    make_contacts(1)
    send = sending.resolve_recipients(make_send(), Contact.objects.all())
    with SMTPServer() as server:
        deliver(server)
    message = Message.objects.get(send=send)
    raw = email.message_from_bytes(server.handler.messages[message.message_id])
    html = next(p for p in raw.walk() if p.get_content_type() == "text/html")
    body = html.get_payload(decode=True).decode()
    pixel = re.search(r'<img src="(https://crm\.example\.com/t/o/[^"]+)"[^>]*alt=""', body)
    link = re.search(r'href="(https://crm\.example\.com/t/c/[^"]+)"', body)
    assert pixel and link
    # Read a minute later, not by a prefetcher at delivery.
    Message.objects.filter(pk=message.pk).update(
        sent_at=timezone.now() - timedelta(minutes=1))

    client.get(urlsplit(pixel.group(1)).path, HTTP_USER_AGENT=HUMAN_AGENT)
    response = client.get(urlsplit(link.group(1)).path, HTTP_USER_AGENT=HUMAN_AGENT)
    assert response.status_code == 302 and response["Location"] == "https://example.com/offer"

    dsn = report(POSTFIX_DSN, recipient=message.email, message_id=raw["Message-ID"])
    response = client.post("/email/inbound/", dsn, content_type="message/rfc822",
                           HTTP_X_CLARION_INBOUND_SECRET="inbound")
    assert response.json() == {"outcome": "bounce", "matched": True}

    message.refresh_from_db()
    assert (message.open_count, message.click_count, message.bounce_kind) == (1, 1, "hard")
    assert [len(events(kind, message)) for kind in
            ("email.opened", "email.clicked", "email.bounced")] == [1, 1, 1]
