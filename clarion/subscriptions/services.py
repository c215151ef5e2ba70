"""Every write to consent. Each function is one transaction that changes a subscription or the
suppression list, writes the consent log entry saying what, when, how and from where, and
emits the events describing it.

    subscribe(contact, type, method=…)            -> Subscription   subscription.changed
        (a double opt-in type: PENDING + a confirmation email with a /email/confirm/ link)
    confirm(contact, type, …)                      -> Subscription   subscription.changed
    unsubscribe(contact, type, method=…, message=) -> Subscription   subscription.changed,
                                                                      email.unsubscribed
    unsubscribe_all(contact, method=…, message=)   -> Suppression    email.unsubscribed
    resubscribe(contact, type=None, …)             lifts "unsubscribed from all"
    set_status(contact, type, status, …)           the preference centre, the API, by hand
    suppress(email, reason, …) / unsuppress(email, …)
    handle_unsubscribe_email(raw_bytes)            the List-Unsubscribe mailto address

Suppression is per address (stored lower-cased): a contact whose address changes does not
carry the old address's suppression, and a suppressed address stays suppressed whichever
contact holds it. Subscriptions are per contact.

`email.unsubscribed` is emitted when an unsubscribe came from a message (its token): its data
carries send_id, message_id (and campaign_id), and the message's `unsubscribed_at` is set.
"""

import email
import email.policy
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.events import NewEvent, emit_many
from clarion.crm.models import Contact
from clarion.subscriptions.models import (
    ConsentRecord,
    Subscription,
    SubscriptionType,
    Suppression,
)

logger = logging.getLogger(__name__)

Method = ConsentRecord.Method
Action = ConsentRecord.Action
Status = Subscription.Status

CONFIRM_SALT = "clarion.subscriptions.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 14  # a confirmation link works for two weeks
SUPPRESSION_METHODS = {
    Suppression.Reason.HARD_BOUNCE: Method.BOUNCE,
    Suppression.Reason.COMPLAINT: Method.COMPLAINT,
    Suppression.Reason.MANUAL: Method.MANUAL,
}


@dataclass(frozen=True)
class Origin:
    """Where a change came from, for the consent log: the person's IP address and browser,
    and a sentence naming the place (a campaign, a form's page)."""

    ip_address: str | None = None
    user_agent: str = ""
    source: str = ""

    @classmethod
    def of(cls, request, source: str = "") -> "Origin":
        from clarion.core.http import client_ip

        return cls(ip_address=client_ip(request) or None,
                   user_agent=request.META.get("HTTP_USER_AGENT", "")[:400], source=source)


NOWHERE = Origin()


# --- Tokens ---------------------------------------------------------------------------------

def confirmation_token(contact: Contact, subscription_type: SubscriptionType) -> str:
    """A signed, timestamped token standing for (contact, type) — not for a message: a
    confirmation is asked for before any marketing email is sent."""
    return signing.dumps([contact.pk, subscription_type.pk], salt=CONFIRM_SALT, compress=True)


def read_confirmation_token(token: str) -> tuple[int, int] | None:
    """(contact id, type id), or None when forged, tampered with or expired."""
    try:
        contact_id, type_id = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(contact_id, int) or not isinstance(type_id, int):
        return None
    return contact_id, type_id


# --- Subscriptions --------------------------------------------------------------------------

def subscribe(contact: Contact, subscription_type: SubscriptionType, *, method: str,
              actor=None, origin: Origin = NOWHERE, text: str = "",
              confirmed: bool = False, ask_confirmation: bool = False) -> Subscription:
    """Opt the contact in. For a double opt-in type the subscription is PENDING and a
    confirmation email goes to the contact's address, unless `confirmed` (the person already
    proved the address is theirs, e.g. from a link in an email they received).
    `ask_confirmation` asks for it whatever the type."""
    needs_confirmation = ask_confirmation or (subscription_type.double_opt_in
                                              and not confirmed)
    status = Status.PENDING if needs_confirmation else Status.SUBSCRIBED
    with transaction.atomic():
        current = (Subscription.objects.select_for_update()
                   .filter(contact=contact, subscription_type=subscription_type).first())
        if (current is not None and current.status == Status.SUBSCRIBED
                and not ask_confirmation):
            return current  # consent already given: signing up again changes nothing
        row, changed = _set(contact, subscription_type, status)
        if changed or needs_confirmation:
            _record(contact, Action.SUBSCRIBED, method, subscription_type=subscription_type,
                    actor=actor, origin=origin, text=text)
        if changed:
            _emit_changed(contact, subscription_type, status, method, actor=actor)
        if needs_confirmation and contact.email:
            transaction.on_commit(
                lambda: send_confirmation(contact, subscription_type), robust=True)
    return row


def confirm(contact: Contact, subscription_type: SubscriptionType, *,
            origin: Origin = NOWHERE) -> Subscription | None:
    """The person followed their confirmation link: PENDING becomes SUBSCRIBED. Confirming
    twice changes nothing; a subscription the person left since is not revived (None)."""
    with transaction.atomic():
        row = (Subscription.objects.select_for_update()
               .filter(contact=contact, subscription_type=subscription_type).first())
        if row is None or row.status == Status.UNSUBSCRIBED:
            return None
        if row.status == Status.SUBSCRIBED:
            return row
        row.status, row.updated_at = Status.SUBSCRIBED, timezone.now()
        row.save(update_fields=["status", "updated_at"])
        _record(contact, Action.CONFIRMED, Method.CONFIRMATION_LINK,
                subscription_type=subscription_type, origin=origin)
        _emit_changed(contact, subscription_type, Status.SUBSCRIBED, Method.CONFIRMATION_LINK)
    return row


def unsubscribe(contact: Contact, subscription_type: SubscriptionType, *, method: str,
                actor=None, origin: Origin = NOWHERE, message=None) -> Subscription:
    """The contact leaves one subscription type. Idempotent: a second unsubscribe records
    nothing new. `message`: the email whose link or header it came from."""
    with transaction.atomic():
        row, changed = _set(contact, subscription_type, Status.UNSUBSCRIBED)
        if changed:
            _record(contact, Action.UNSUBSCRIBED, method, subscription_type=subscription_type,
                    actor=actor, origin=origin, message=message)
            _emit_changed(contact, subscription_type, Status.UNSUBSCRIBED, method,
                          actor=actor, message=message)
        if changed and message is not None and _mark_message(message):
            _emit_unsubscribed(contact, message, subscription_type, method)
    return row


def unsubscribe_all(contact: Contact, *, method: str, actor=None, origin: Origin = NOWHERE,
                    message=None) -> Suppression | None:
    """The contact wants no email at all: their address goes on the suppression list
    (reason "unsubscribed from all"). From a message, that is the address the message went
    to (the one whose owner followed its link), even if the contact's address changed since.
    Idempotent."""
    address = (message.email if message is not None and message.email else contact.email)
    if not address:
        return None
    with transaction.atomic():
        suppression, created = _suppress(address, Suppression.Reason.UNSUBSCRIBED_ALL,
                                         actor=actor)
        if created:
            _record(contact, Action.UNSUBSCRIBED_ALL, method, actor=actor, origin=origin,
                    message=message, email_address=address)
            _emit_changed(contact, None, "suppressed", method, actor=actor, message=message)
        if created and message is not None and _mark_message(message):
            _emit_unsubscribed(contact, message, None, method)
    return suppression


def resubscribe(contact: Contact, subscription_type: SubscriptionType | None = None, *,
                method: str, actor=None, origin: Origin = NOWHERE,
                message=None) -> bool:
    """Undo "unsubscribe from all" for the contact's address (a suppression for a bounce, a
    complaint or one added by hand stays), and when `subscription_type` is given, subscribe
    to it again. True when anything changed."""
    changed = False
    address = (message.email if message is not None and message.email else contact.email)
    with transaction.atomic():
        if address:
            removed, _count = (Suppression.objects.alias(key=Lower("email"))
                               .filter(key=address.lower(),
                                       reason=Suppression.Reason.UNSUBSCRIBED_ALL).delete())
            if removed:
                changed = True
                _record(contact, Action.RESUBSCRIBED, method, actor=actor, origin=origin,
                        message=message, email_address=address)
                _emit_changed(contact, None, "unsuppressed", method, actor=actor,
                              message=message)
        if subscription_type is not None:
            _row, type_changed = _set(contact, subscription_type, Status.SUBSCRIBED)
            if type_changed:
                changed = True
                _record(contact, Action.RESUBSCRIBED, method,
                        subscription_type=subscription_type, actor=actor, origin=origin,
                        message=message)
                _emit_changed(contact, subscription_type, Status.SUBSCRIBED, method,
                              actor=actor, message=message)
    return changed


def set_status(contact: Contact, subscription_type: SubscriptionType, status: str, *,
               method: str, actor=None, origin: Origin = NOWHERE, message=None,
               confirmed: bool = False) -> Subscription | None:
    """Put the contact's subscription to `subscription_type` in `status` (subscribed,
    unsubscribed, or pending which sends a confirmation email): the preference centre, the
    API and the contact page's panel go through here."""
    if status == Status.UNSUBSCRIBED:
        return unsubscribe(contact, subscription_type, method=method, actor=actor,
                           origin=origin, message=message)
    if status == Status.PENDING:
        return subscribe(contact, subscription_type, method=method, actor=actor,
                         origin=origin, ask_confirmation=True)
    if status == Status.SUBSCRIBED:
        current = Subscription.objects.filter(
            contact=contact, subscription_type=subscription_type).first()
        if current is not None and current.status == Status.UNSUBSCRIBED:
            resubscribe(contact, subscription_type, method=method, actor=actor, origin=origin,
                        message=message)
            return Subscription.objects.get(pk=current.pk)
        return subscribe(contact, subscription_type, method=method, actor=actor,
                         origin=origin, confirmed=confirmed)
    raise ValueError(f"unknown subscription status {status!r}")


# --- Suppression ----------------------------------------------------------------------------

def suppress(email_address: str, reason: str, *, detail: str = "", actor=None,
             method: str | None = None) -> Suppression | None:
    """Put an address on the suppression list (hard bounces, complaints, rejections, by hand).
    Idempotent: an address already on the list keeps its first reason. Safe to call inside
    the caller's transaction. None for an empty address."""
    address = (email_address or "").strip()
    if not address:
        return None
    method = method or SUPPRESSION_METHODS.get(reason, Method.MANUAL)
    with transaction.atomic():
        suppression, created = _suppress(address, reason, detail=detail, actor=actor)
        if created:
            contact = _contact_with(address)
            _record(contact, Action.SUPPRESSED, method, email_address=address.lower(),
                    actor=actor, origin=Origin(source=detail[:255]))
            if contact is not None:
                _emit_changed(contact, None, "suppressed", method, actor=actor)
    return suppression


def unsuppress(email_address: str, *, actor=None, method: str = Method.MANUAL,
               origin: Origin = NOWHERE) -> bool:
    """Take an address off the suppression list. True when it was on it."""
    address = (email_address or "").strip().lower()
    with transaction.atomic():
        removed, _count = (Suppression.objects.alias(key=Lower("email"))
                           .filter(key=address).delete())
        if removed:
            contact = _contact_with(address)
            _record(contact, Action.UNSUPPRESSED, method, email_address=address, actor=actor,
                    origin=origin)
            if contact is not None:
                _emit_changed(contact, None, "unsuppressed", method, actor=actor)
    return bool(removed)


# --- The mailto unsubscribe -----------------------------------------------------------------

_TOKEN_IN_SUBJECT = re.compile(r"unsubscribe-([0-9A-Za-z]+-[0-9A-Za-z]+)")


def handle_unsubscribe_email(raw_message: bytes) -> bool:
    """An email sent to the List-Unsubscribe mailto address: its subject carries
    "unsubscribe-<message token>"; unsubscribe that message's recipient from its send's type
    (from everything when the send has none). True when the token was valid."""
    from clarion.sending.tokens import message_pk_from_token

    parsed = email.message_from_bytes(raw_message, policy=email.policy.default)
    subject = str(parsed.get("Subject", ""))
    match = _TOKEN_IN_SUBJECT.search(subject)
    if not match:
        return False
    pk = message_pk_from_token(match.group(1))
    message = _message(pk) if pk else None
    if message is None or message.contact is None:
        return False
    sender = str(parsed.get("From", ""))[:255]
    unsubscribe_from_message(message, method=Method.MAILTO,
                             origin=Origin(source=_("Unsubscribe email from %(sender)s")
                                           % {"sender": sender}))
    return True


def unsubscribe_from_message(message, *, method: str, origin: Origin = NOWHERE):
    """Unsubscribe a message's recipient from the send's subscription type, or from all email
    when the send has none (the one-click POST, the mailto address)."""
    contact, send = message.contact, message.send
    if send.subscription_type_id:
        return unsubscribe(contact, send.subscription_type, method=method, origin=origin,
                           message=message)
    return unsubscribe_all(contact, method=method, origin=origin, message=message)


# --- Confirmation email ---------------------------------------------------------------------

CONFIRMATIONS_PER_HOUR = 3


def send_confirmation(contact: Contact, subscription_type: SubscriptionType) -> bool:
    """Email the contact a link that confirms their subscription (double opt-in), from the
    default sender identity when there is one. At most CONFIRMATIONS_PER_HOUR per contact and
    type, so a sign-up form can't be used to flood someone's mailbox. True when sent."""
    from clarion.core.ratelimit import over_limit
    from clarion.subscriptions.links import confirm_url

    if not contact.email:
        return False
    if over_limit(f"consent-confirmation:{contact.pk}:{subscription_type.pk}",
                  CONFIRMATIONS_PER_HOUR, 3600):
        logger.info("confirmation email to contact %s not sent: too many this hour",
                    contact.pk)
        return False
    context = {"contact": contact, "subscription_type": subscription_type,
               "confirm_url": confirm_url(confirmation_token(contact, subscription_type)),
               "days": CONFIRM_MAX_AGE // 86400}
    subject = _("Please confirm your subscription to %(name)s") % {
        "name": subscription_type.name}
    text = render_to_string("subscriptions/email/confirm.txt", context)
    html = render_to_string("subscriptions/email/confirm.html", context)
    mail = EmailMultiAlternatives(subject, text, _confirmation_sender(), [contact.email])
    mail.attach_alternative(html, "text/html")
    mail.send()
    return True


def _confirmation_sender() -> str:
    from email.utils import formataddr

    from clarion.sending.models import SenderIdentity

    sender = SenderIdentity.objects.filter(is_default=True).first()
    if sender is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((sender.from_name, sender.from_email))


# --- Internals ------------------------------------------------------------------------------

def _set(contact, subscription_type, status) -> tuple[Subscription, bool]:
    """Lock-or-create the (contact, type) row and put it in `status`; whether it changed."""
    row, created = Subscription.objects.select_for_update().get_or_create(
        contact=contact, subscription_type=subscription_type,
        defaults={"status": status})
    if created:
        return row, True
    if row.status == status:
        return row, False
    row.status, row.updated_at = status, timezone.now()
    row.save(update_fields=["status", "updated_at"])
    return row, True


def _suppress(address, reason, *, detail="", actor=None) -> tuple[Suppression, bool]:
    address = address.strip().lower()
    existing = Suppression.objects.alias(key=Lower("email")).filter(key=address).first()
    if existing is not None:
        return existing, False
    return Suppression.objects.get_or_create(
        email=address, defaults={"reason": reason, "detail": detail,
                                 "created_by": actor if _is_user(actor) else None})


def _contact_with(address: str) -> Contact | None:
    return (Contact.objects.alias(key=Lower("email")).filter(key=address.lower())
            .exclude(email="").first())


def _record(contact, action, method, *, subscription_type=None, actor=None,
            origin: Origin = NOWHERE, text="", message=None, email_address=None):
    source = origin.source
    if not source and message is not None:
        source = _message_source(message)
    return ConsentRecord.objects.create(
        contact=contact, email=email_address if email_address is not None else
        (contact.email if contact else ""),
        subscription_type=subscription_type, action=action, method=method, text=text,
        ip_address=origin.ip_address, user_agent=origin.user_agent[:400],
        actor=actor if _is_user(actor) else None, source=source[:255])


def _message_source(message) -> str:
    send = message.send
    return _("Email “%(name)s”") % {"name": send.name}


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _message_data(message) -> dict:
    if message is None:
        return {}
    data = {"send_id": message.send_id, "message_id": message.pk}
    campaign_id = _campaign_id(message.send_id)
    if campaign_id is not None:
        data["campaign_id"] = campaign_id
    return data


def _campaign_id(send_id) -> int | None:
    from django.apps import apps

    try:
        campaign = apps.get_model("campaigns", "Campaign")
    except LookupError:
        return None
    return campaign.objects.filter(send_id=send_id).values_list("pk", flat=True).first()


def _emit_changed(contact, subscription_type, status, method, *, actor=None, message=None):
    data = {"subscription_type_id": subscription_type.pk if subscription_type else None,
            "status": str(status), "method": str(method), **_type_name(subscription_type),
            **_message_data(message)}
    emit_many([NewEvent("subscription.changed", contact_id=contact.pk,
                        subject=message.send if message is not None else subscription_type,
                        actor=actor, data=data)])


def _type_name(subscription_type) -> dict:
    # The name as it was, so the timeline can say it without a query per event.
    return {"subscription_type_name": subscription_type.name} if subscription_type else {}


def _emit_unsubscribed(contact, message, subscription_type, method):
    data = {**_message_data(message),
            "subscription_type_id": subscription_type.pk if subscription_type else None,
            "method": str(method), **_type_name(subscription_type)}
    emit_many([NewEvent("email.unsubscribed", contact_id=contact.pk, subject=message.send,
                        data=data)])


def _mark_message(message) -> bool:
    """Set the message's unsubscribed_at once; True the first time."""
    from clarion.sending.models import Message

    now = timezone.now()
    updated = Message.objects.filter(pk=message.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now)
    if updated:
        message.unsubscribed_at = now
    return bool(updated)


def _message(pk: int):
    from clarion.sending.models import Message

    return (Message.objects.select_related("send__subscription_type", "contact")
            .filter(pk=pk).first())


# --- Subscription types ---------------------------------------------------------------------

TYPE_FIELDS = ("name", "description", "requires_opt_in", "double_opt_in", "is_default")


class TypeInUse(Exception):
    """A subscription type that sends used cannot be deleted (archive it instead)."""


def create_type(*, name: str, description: str = "", requires_opt_in: bool = False,
                double_opt_in: bool = False, is_default: bool = False) -> SubscriptionType:
    with transaction.atomic():
        last = SubscriptionType.objects.order_by("-position").values_list("position",
                                                                           flat=True).first()
        kind = SubscriptionType.objects.create(
            name=name, description=description, requires_opt_in=requires_opt_in,
            double_opt_in=double_opt_in, is_default=is_default,
            position=(last or 0) + 1)
        if is_default:
            _only_default(kind)
    return kind


def update_type(kind: SubscriptionType, **changes) -> SubscriptionType:
    unknown = set(changes) - set(TYPE_FIELDS) - {"archived", "position"}
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} of a subscription type")
    with transaction.atomic():
        for name, value in changes.items():
            setattr(kind, name, value)
        if kind.archived:
            kind.is_default = False
        kind.save()
        if kind.is_default:
            _only_default(kind)
    return kind


def archive_type(kind: SubscriptionType, *, archived: bool = True) -> SubscriptionType:
    """An archived type is offered nowhere (preference centre, new campaigns) but keeps its
    subscriptions, consent log and the sends that used it."""
    return update_type(kind, archived=archived)


def delete_type(kind: SubscriptionType) -> None:
    from clarion.sending.models import Send

    with transaction.atomic():
        if Send.objects.filter(subscription_type=kind).exists() or _used_by_campaigns(kind):
            raise TypeInUse(_("“%(name)s” was used to send email: archive it instead.")
                            % {"name": kind.name})
        kind.delete()


def _used_by_campaigns(kind) -> bool:
    from django.apps import apps

    try:
        campaign = apps.get_model("campaigns", "Campaign")
    except LookupError:
        return False
    return campaign.objects.filter(subscription_type=kind).exists()


def _only_default(kind: SubscriptionType) -> None:
    SubscriptionType.objects.exclude(pk=kind.pk).filter(is_default=True).update(
        is_default=False)
