"""Every write of the send engine: sends, their recipients, their life cycle, sender identities.

Delivery itself (claiming, answering, retrying) lives in clarion.sending.delivery; this module
is what people and other apps call.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.sending import resolution
from clarion.sending.apps import wake_delivery
from clarion.sending.models import Message, Send, SenderIdentity

OPEN = [Message.Status.HELD, Message.Status.QUEUED, Message.Status.DEFERRED]


class SendError(Exception):
    """A send cannot do what was asked; the message says why, for a person."""


def create_send(*, name: str, kind: str = Send.Kind.CAMPAIGN, sender: SenderIdentity | None,
                subscription_type=None, variants: list[dict], track_opens: bool = True,
                track_clicks: bool = True, created_by=None) -> Send:
    """A draft send of the compiled `variants` (emails.rendering.compile_email dicts)."""
    if not variants:
        raise SendError(_("A send needs at least one version of the email."))
    if sender is None:
        sender = SenderIdentity.objects.filter(is_default=True).first()
    if sender is None:
        raise SendError(_("Add a sender identity in Settings → Senders first."))
    frozen = [{"subject": v.get("subject", ""), "preheader": v.get("preheader", ""),
               "html": v.get("html", ""), "text": v.get("text", ""),
               "links": list(v.get("links", []))} for v in variants]
    return Send.objects.create(name=name, kind=kind, sender=sender,
                               subscription_type=subscription_type, variants=frozen,
                               track_opens=track_opens, track_clicks=track_clicks,
                               created_by=created_by)


def resolve_recipients(send: Send, contacts: QuerySet, *, due_at: datetime | None = None,
                       local_time: datetime | None = None, fallback_time_zone: str = "UTC",
                       ab: tuple[int, int] | None = None) -> Send:
    """Write one message per contact of `contacts` (set-based; safe to repeat) and start
    the send.

    Contacts the send may not reach are kept as SKIPPED messages with the reason, and
    counted in `send.excluded`. `due_at` schedules the send; `local_time` (naive) schedules
    each recipient at that wall-clock time in their own time zone. `ab=(percent, variants)`
    puts `percent` % of the eligible recipients in a test split evenly over the first
    `variants` variants; the rest are HELD until `release_held`.
    """
    if ab is not None:
        percent, variants = ab
        if not (0 < percent <= 100 and 1 <= variants <= len(send.variants)):
            raise SendError(_("An A/B test needs a percentage from 1 to 100 and at most as "
                              "many variants as the email has."))
    elif len(send.variants) > 1:
        ab = (100, len(send.variants))  # no test share given: split the whole send
    rows = resolution.candidate_rows(contacts, send.subscription_type)
    due_by_zone = None
    due = due_at or timezone.now()
    if local_time is not None:
        due_by_zone, due = resolution.due_moments(contacts, local_time, fallback_time_zone)
    audience = resolution.Audience(send_id=send.pk, sender_domain=_domain_of(send),
                                   due_at=due, due_by_zone=due_by_zone, ab=ab)
    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send.pk)
        if send.status == Send.Status.CANCELLED:
            raise SendError(_("This send was cancelled."))
        resolution.insert_messages(rows, audience)
        send.recipient_count, send.excluded = resolution.counts_by_reason(send.pk)
        if send.status in (Send.Status.DRAFT, Send.Status.RESOLVING, Send.Status.DONE):
            send.status = Send.Status.SENDING
            send.finished_at = None
        send.started_at = send.started_at or timezone.now()
        send.save(update_fields=["recipient_count", "excluded", "status", "started_at",
                                 "finished_at"])
        transaction.on_commit(wake_delivery, robust=True)
    return send


def _domain_of(send: Send) -> str:
    address = send.sender.from_email if send.sender else "clarion@localhost"
    return address.rpartition("@")[2].lower() or "localhost"


def pause(send: Send) -> Send:
    """Stop claiming the send's messages; those already being delivered finish."""
    return _move(send, {Send.Status.SENDING}, Send.Status.PAUSED)


def resume(send: Send) -> Send:
    with transaction.atomic():
        send = _move(send, {Send.Status.PAUSED}, Send.Status.SENDING)
        transaction.on_commit(wake_delivery, robust=True)
    return send


def cancel(send: Send) -> Send:
    """Cancel every message not yet handed to a mail server."""
    with transaction.atomic():
        send = _move(send, {Send.Status.DRAFT, Send.Status.RESOLVING, Send.Status.SENDING,
                            Send.Status.PAUSED}, Send.Status.CANCELLED)
        Message.objects.filter(send=send, status__in=OPEN).update(
            status=Message.Status.CANCELLED, reason="cancelled")
        send.finished_at = timezone.now()
        send.save(update_fields=["finished_at"])
    return send


def _move(send: Send, allowed: set[str], to: str) -> Send:
    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send.pk)
        if send.status == to:
            return send
        if send.status not in allowed:
            raise SendError(_("A send that is “%(status)s” cannot be changed that way.")
                            % {"status": send.get_status_display()})
        send.status = to
        send.save(update_fields=["status"])
    return send


def release_held(send: Send, variant: int) -> int:
    """Send the held rest of an A/B test as `variant` (the winner), now. Returns how many."""
    if not 0 <= variant < len(send.variants):
        raise SendError(_("This send has no version %(n)s.") % {"n": variant + 1})
    with transaction.atomic():
        released = Message.objects.filter(send=send, status=Message.Status.HELD).update(
            status=Message.Status.QUEUED, variant=variant, due_at=timezone.now())
        Send.objects.filter(pk=send.pk, status=Send.Status.DONE).update(
            status=Send.Status.SENDING, finished_at=None)
        transaction.on_commit(wake_delivery, robust=True)
    return released


def finish_done_sends() -> int:
    """Mark DONE every sending send with no message left to deliver (held ones wait for
    their A/B winner)."""
    left = Message.objects.filter(send=OuterRef("pk"),
                                  status__in=[*OPEN, Message.Status.SENDING])
    return Send.objects.filter(~Exists(left), status=Send.Status.SENDING).update(
        status=Send.Status.DONE, finished_at=timezone.now())


# --- Sender identities ----------------------------------------------------------------------


def save_sender(sender: SenderIdentity, *, private_key: str | None = None) -> SenderIdentity:
    """Create or update a sender. `private_key` None keeps the stored DKIM key; "" removes it.
    The first sender, or one marked default, becomes the only default."""
    with transaction.atomic():
        if private_key is not None:
            sender.dkim_private_key = private_key
        if not SenderIdentity.objects.exclude(pk=sender.pk).filter(is_default=True).exists():
            sender.is_default = True
        sender.save()
        if sender.is_default:
            SenderIdentity.objects.exclude(pk=sender.pk).update(is_default=False)
    return sender


def delete_sender(sender: SenderIdentity) -> None:
    if sender.sends.exists():
        raise SendError(_("This sender has sent email; it is kept for the reports."))
    with transaction.atomic():
        was_default = sender.is_default
        sender.delete()
        if was_default:
            successor = SenderIdentity.objects.order_by("id").first()
            if successor:
                SenderIdentity.objects.filter(pk=successor.pk).update(is_default=True)


def generate_dkim_key(sender: SenderIdentity) -> SenderIdentity:
    """Give the sender a new 2048-bit DKIM key (replacing any), with a selector and domain
    filled in from its address when empty."""
    from clarion.sending import signing

    sender.dkim_selector = sender.dkim_selector or "clarion1"
    sender.dkim_domain = sender.dkim_domain or sender.from_email.rpartition("@")[2].lower()
    return save_sender(sender, private_key=signing.generate_private_key())
