"""Email services' webhooks (Amazon SES, Mailgun, SendGrid, Postmark) through django-anymail.

Anymail's views check each post (Mailgun's HMAC signature, SendGrid's signature when a
verification key is set, HTTP basic auth with ANYMAIL["WEBHOOK_SECRET"] for all) and turn the
service's payload into normalized tracking events, which arrive here through anymail's
`tracking` signal and go to the same services as our own pixel, redirects and DSNs.

An endpoint whose authentication is not configured answers 404 instead of accepting anyone's
posts (anymail itself would only warn).

Matching a service's event to a message, in order:
1. metadata "clarion_token" — the message token, when the sender set it as anymail metadata;
2. the service's own message id, remembered from anymail's `post_send` signal when the
   message was sent through an anymail backend (`EspMessage`);
3. our Message-ID header (services that keep it and report it, and SMTP relays).

Each event is handled once: its `Notice` key is the service's event id, or a digest of the
event's content when the service gives none.
"""

import hashlib
import json
import logging

from anymail.exceptions import AnymailConfigurationError
from anymail.signals import EventType, RejectReason
from anymail.utils import get_anymail_setting
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from clarion.sending.models import Message
from clarion.sending.tokens import message_pk_from_token
from clarion.tracking import detection, dsn, queries, services
from clarion.tracking.models import EspMessage, Notice

logger = logging.getLogger(__name__)


def _guarded(view_class, *, needs_basic_auth: bool):
    """The anymail view, or 404 while its authentication is not configured."""
    view = view_class.as_view()

    @csrf_exempt
    @login_not_required
    def guarded(request, *args, **kwargs):
        if needs_basic_auth and not get_anymail_setting("webhook_secret", default=None):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except (AnymailConfigurationError, ImproperlyConfigured) as error:
            logger.warning("%s webhook is not configured: %s", view_class.esp_name, error)
            raise Http404 from error

    return guarded


urlpatterns = [
    path("amazon_ses/tracking/",
         _guarded(AmazonSESTrackingWebhookView, needs_basic_auth=True),
         name="amazon_ses_tracking_webhook"),
    # Mailgun signs every post with the webhook signing key (required by anymail's view).
    path("mailgun/tracking/", _guarded(MailgunTrackingWebhookView, needs_basic_auth=False),
         name="mailgun_tracking_webhook"),
    path("sendgrid/tracking/", _guarded(SendGridTrackingWebhookView, needs_basic_auth=True),
         name="sendgrid_tracking_webhook"),
    path("postmark/tracking/", _guarded(PostmarkTrackingWebhookView, needs_basic_auth=True),
         name="postmark_tracking_webhook"),
]


# --- Signal handlers (connected in TrackingConfig.ready) ------------------------------------

def remember_esp_message_ids(sender, message, status, esp_name, **kwargs) -> None:
    """After a message went out through an anymail backend: remember the service's id for
    it, found by the Message-ID header the engine set (or the token in its metadata).

    Never raises: anymail re-raises a receiver's exception from send_messages(), and the
    engine would then take a message the service had accepted for a failure and send it
    again. Without the id, that message's webhooks go unmatched instead."""
    try:
        _remember_esp_message_id(message, status, esp_name)
    except Exception:
        logger.exception("Could not remember %s's id for a sent message", esp_name)


def _remember_esp_message_id(message, status, esp_name) -> None:
    esp_id = getattr(status, "message_id", None)
    if esp_id is None or isinstance(esp_id, set):
        ids = {getattr(r, "message_id", None) for r in (status.recipients or {}).values()}
        ids.discard(None)
        if len(ids) != 1:
            return
        esp_id = ids.pop()
    token = (getattr(message, "metadata", None) or {}).get("clarion_token")
    pk = message_pk_from_token(token) if token else None
    if pk is None:
        header = (getattr(message, "extra_headers", None) or {}).get("Message-ID", "")
        facts = queries.message_facts_by_message_id(header) if header else None
        pk = facts["id"] if facts else None
    if pk is not None:
        EspMessage.objects.bulk_create(
            [EspMessage(esp=esp_name, esp_message_id=str(esp_id)[:255], message_id=pk)],
            ignore_conflicts=True)


def handle_tracking_event(sender, event, esp_name, **kwargs) -> None:
    record_esp_event(esp_name, event)


def record_esp_event(esp_name: str, event) -> Notice | None:
    """Apply one normalized anymail tracking event; None when it was seen before."""
    pk = _message_pk(esp_name, event)
    kind = _notice_kind(event)
    notice = Notice(key=_event_key(esp_name, event), source=Notice.Source.ESP, kind=kind,
                    message_id=pk, email=(event.recipient or "")[:254],
                    summary=f"{esp_name} {event.event_type}"[:255],
                    diagnostic=(event.mta_response or event.description or "")[:2000])
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
        except IntegrityError:
            return None
        if pk is not None:
            _apply(pk, event)
    return notice


def _apply(pk: int, event) -> None:
    at = event.timestamp or timezone.now()
    kind = event.event_type
    if kind == EventType.DELIVERED:
        services.record_delivery(pk, at=at)
    elif kind == EventType.BOUNCED or (kind == EventType.REJECTED and event.reject_reason in {
            RejectReason.BOUNCED, RejectReason.INVALID}):
        diagnostic = event.mta_response or event.description or ""
        services.record_bounce(pk, bounce=_bounce_class(event, diagnostic),
                               diagnostic=diagnostic, status=dsn.status_in(diagnostic), at=at)
    elif kind == EventType.COMPLAINED:
        services.record_complaint(pk, feedback_type="abuse", at=at)
    elif kind == EventType.OPENED:
        services.record_open(pk, _request(event), at=at, machine=_esp_says_machine(event))
    elif kind == EventType.CLICKED:
        services.record_click_url(pk, event.click_url or "", _request(event), at=at)
    elif kind == EventType.UNSUBSCRIBED:
        _unsubscribe(pk)


def _bounce_class(event, diagnostic: str) -> str:
    esp_type = str((event.esp_event or {}).get("Type", "")) if isinstance(
        event.esp_event, dict) else ""
    if esp_type in {"SoftBounce", "Transient", "DnsError", "AutoResponder"}:
        return dsn.SOFT
    if esp_type == "HardBounce" or event.event_type == EventType.REJECTED:
        return dsn.HARD
    if not diagnostic:
        return dsn.HARD  # the service gave up on the address without saying why
    return dsn.classify("", diagnostic)


def _esp_says_machine(event) -> bool:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    return bool(esp_event.get("sg_machine_open") or esp_event.get("MachineOpen"))


def _request(event) -> detection.Request:
    agent = event.user_agent or ""
    return detection.Request(user_agent=agent, agent_known=bool(agent))


def _unsubscribe(pk: int) -> None:
    from clarion.subscriptions import services as consent
    from clarion.subscriptions.models import ConsentRecord

    message = (Message.objects.select_related("send__subscription_type", "contact")
               .filter(pk=pk).first())
    if message is not None and message.contact is not None:
        consent.unsubscribe_from_message(message,
                                         method=ConsentRecord.Method.UNSUBSCRIBE_PAGE)


def _message_pk(esp_name: str, event) -> int | None:
    token = (event.metadata or {}).get("clarion_token")
    pk = message_pk_from_token(str(token)) if token else None
    if pk is not None:
        return pk
    if not event.message_id:
        return None
    pk = (EspMessage.objects.filter(esp=esp_name, esp_message_id=str(event.message_id))
          .values_list("message_id", flat=True).first())
    if pk is not None:
        return pk
    facts = queries.message_facts_by_message_id(str(event.message_id))
    return facts["id"] if facts else None


def _notice_kind(event) -> str:
    return {EventType.DELIVERED: Notice.Kind.DELIVERED, EventType.BOUNCED: Notice.Kind.BOUNCE,
            EventType.REJECTED: Notice.Kind.BOUNCE, EventType.DEFERRED: Notice.Kind.DELAY,
            EventType.COMPLAINED: Notice.Kind.COMPLAINT, EventType.OPENED: Notice.Kind.OPENED,
            EventType.CLICKED: Notice.Kind.CLICKED,
            EventType.UNSUBSCRIBED: Notice.Kind.UNSUBSCRIBE}.get(event.event_type,
                                                                 Notice.Kind.OTHER)


def _event_key(esp_name: str, event) -> str:
    if event.event_id:
        identity = f"{event.event_type}:{event.event_id}"
    else:
        identity = json.dumps([event.event_type, event.message_id, event.recipient,
                               event.timestamp.isoformat() if event.timestamp else None,
                               event.click_url], default=str)
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"esp:{esp_name[:40]}:{digest}"
