"""Sends and sent messages made directly in the database, as the send engine leaves them, for
the tracking tests."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.sending.models import Message, Send
from clarion.sending.tokens import message_token

LINKS = ["https://example.com/article?id=1&ref=mail", "https://example.com/pricing",
         "https://crm.example.com/email/u/xyz/"]
_numbers = count(1)


def make_contact(**values) -> Contact:
    values.setdefault("email", f"reader{next(_numbers)}@example.org")
    return create_record(Contact, actor=None, values=values, link_by_domain=False)


def make_send(*, links=None, variants=None, subscription_type=None, name="Spring news") -> Send:
    if variants is None:
        variants = [{"subject": "Hi", "preheader": "", "html": "<p>Hi</p>", "text": "Hi",
                     "links": list(LINKS if links is None else links)}]
    return Send.objects.create(name=name, variants=variants,
                               subscription_type=subscription_type,
                               status=Send.Status.SENDING)


def make_message(send=None, contact=None, *, sent_seconds_ago: float = 3600, variant=0,
                 status=Message.Status.SENT) -> Message:
    send = send or make_send()
    contact = contact or make_contact()
    sent_at = timezone.now() - timedelta(seconds=sent_seconds_ago)
    message = Message.objects.create(send=send, contact=contact, email=contact.email,
                                     domain=contact.email.split("@")[1], variant=variant,
                                     status=status,
                                     sent_at=sent_at if status == Message.Status.SENT else None)
    message.message_id = f"<{send.pk}.{contact.pk}.{message.pk}@mail.example.com>"
    message.save(update_fields=["message_id"])
    return message


def token_of(message: Message) -> str:
    return message_token(message.pk)


def events(kind: str, message: Message | None = None) -> list[Event]:
    rows = Event.objects.filter(kind=kind).order_by("id")
    if message is not None:
        rows = rows.filter(data__message_id=message.pk)
    return list(rows)


HUMAN_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/124.0 Safari/537.36")
