"""Actions on email designs that reach outside the database: sending a test to oneself."""

from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clarion.core.ratelimit import over_limit
from clarion.emails import personalize, rendering

MAX_TEST_RECIPIENTS = 5
TEST_SENDS_PER_HOUR = 30


class TestSendError(Exception):
    """A test send that cannot go out (bad address, too many tests), with a message a
    person can act on."""

    __test__ = False  # not a test case, whatever pytest's collector thinks of the name


class TestSendLimited(TestSendError):
    """Too many tests this hour; `retry_after` says how many seconds to wait."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(_("You've sent many tests this hour; try again in %(minutes)d "
                           "minutes.") % {"minutes": -(-retry_after // 60)})


def send_test(email: Any, *, to: str | list[str], as_contact: Any = None, sender: Any = None,
              actor: Any) -> EmailMultiAlternatives:
    """Render `email` as `as_contact` would receive it (a sample recipient when None) and send
    it to `to` through Django's mailer, HTML and text parts, subject prefixed "[Test]".

    The unsubscribe and preference links point at the preview page, so a test cannot
    unsubscribe anybody. Raises TestSendError, DocumentError (blocks.py) or
    PersonalizationError (a token that does not render).
    """
    recipients = _recipients(to)
    wait = over_limit(f"emails:test-send:{getattr(actor, 'pk', None)}", TEST_SENDS_PER_HOUR,
                      3600)
    if wait is not None:
        raise TestSendLimited(wait)
    sender = sender if sender is not None else rendering.default_sender()
    compiled = rendering.compile_email(email)
    context = rendering.preview_context(contact=as_contact, sender=sender)
    subject, html, text = personalize.prepare(compiled).render(context)
    message = EmailMultiAlternatives(
        subject=f"{_('[Test]')} {subject}".strip(), body=text, from_email=_from(sender),
        to=recipients, reply_to=[sender.reply_to] if sender and sender.reply_to else None,
        headers={"X-Clarion-Test": "1"})
    message.attach_alternative(html, "text/html")
    message.send()
    return message


def _recipients(to: str | list[str]) -> list[str]:
    addresses = [to] if isinstance(to, str) else list(to)
    addresses = [address.strip() for address in addresses if address and address.strip()]
    if not addresses:
        raise TestSendError(_("Enter an address to send the test to."))
    if len(addresses) > MAX_TEST_RECIPIENTS:
        raise TestSendError(_("Send a test to at most %(count)s addresses.")
                            % {"count": MAX_TEST_RECIPIENTS})
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise TestSendError(_("“%(address)s” is not an email address.")
                                % {"address": address}) from None
    return addresses


def _from(sender: Any) -> str:
    if sender is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((sender.from_name, sender.from_email))
