"""Helpers for the consent tests: contacts, subscription types and a sent message with its
token, made directly (the send engine is not what these tests are about)."""

from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.sending.models import Message, Send
from clarion.sending.tokens import message_token
from clarion.subscriptions.models import SubscriptionType


def make_contact(**values) -> Contact:
    values.setdefault("email", f"person{Contact.objects.count() + 1}@example.org")
    return create_record(Contact, actor=None, values=values, link_by_domain=False)


def make_type(name="Newsletter", **fields) -> SubscriptionType:
    return SubscriptionType.objects.create(name=name, **fields)


def make_message(contact, subscription_type=None, *, name="Spring news") -> Message:
    send = Send.objects.create(name=name, subscription_type=subscription_type,
                               status=Send.Status.SENDING)
    return Message.objects.create(send=send, contact=contact, email=contact.email,
                                  domain=contact.email.rpartition("@")[2],
                                  status=Message.Status.SENT)


def token_of(message) -> str:
    return message_token(message.pk)
