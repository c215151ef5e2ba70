"""The delivery worker: claim due messages, render, sign, hand over, record the answer.

Every message's state is written twice around the SMTP conversation, each time committed:
- claimed: status SENDING, `lease_until`, `attempts + 1` (one statement; SKIP LOCKED on
  PostgreSQL, SQLite's single writer elsewhere), after re-checking consent and the
  per-domain rates;
- answered: SENT, DEFERRED (4xx, lost connections; exponential backoff with jitter) or
  FAILED (5xx; retries exhausted), conditional on still holding that claim (same `attempts`).
A worker that dies between the two leaves a SENDING row whose lease expires; it is retried
with the same Message-ID and counted in `uncertain_attempts`, never silently sent twice (see
docs/architecture.md, "The send engine's exactly-once").
"""

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from clarion.core.events.services import NewEvent, emit, emit_many
from clarion.crm.models import Contact
from clarion.emails import personalize
from clarion.sending import conf, mime, signing, throttle, transport
from clarion.sending.models import Message, Send
from clarion.sending.services import finish_done_sends
from clarion.sending.tokens import message_token
from clarion.subscriptions.headers import list_unsubscribe_headers
from clarion.subscriptions.links import recipient_links
from clarion.subscriptions.queries import annotate_exclusion
from clarion.tracking.instrument import TrackingContext, instrument

logger = logging.getLogger(__name__)

CLAIMABLE = ("queued", "deferred")
SEND_INFO_TTL = 60.0  # seconds
CLAIM_COLUMNS = "id, send_id, contact_id, email, domain, variant, attempts, message_id"


@dataclass(frozen=True)
class Claimed:
    pk: int
    send_id: int
    contact_id: int | None
    email: str
    domain: str
    variant: int
    attempts: int
    message_id: str


@dataclass
class SendInfo:
    """What a worker keeps about a send while delivering it (re-read every minute, so a
    sender's new DKIM key is picked up by long-running workers)."""

    send: Send
    campaign_id: int | None
    prepared: dict[int, personalize.Prepared] = field(default_factory=dict)
    loaded_at: float = field(default_factory=time.monotonic)

    def event_data(self, message: Claimed, **extra) -> dict:
        data = {"send_id": self.send.pk, "message_id": message.pk, **extra}
        if self.campaign_id is not None:
            data["campaign_id"] = self.campaign_id
        return data


# --- Claiming -------------------------------------------------------------------------------


def claim_due_messages(settings: conf.SendSettings) -> list[Claimed]:
    """Lease up to `settings.batch` due messages of sending sends (committed on return)."""
    now = timezone.now()
    with transaction.atomic():
        recover_expired_leases(now, settings)
        claimed = _claim(now, settings)
        if not claimed:
            return []
        claimed = _skip_excluded(claimed)
        claimed = _throttle(claimed, settings)
    return claimed


def _claim(now, settings: conf.SendSettings) -> list[Claimed]:
    adapt = connection.ops.adapt_datetimefield_value
    lease = adapt(now + timedelta(seconds=settings.lease_seconds))
    due = ("SELECT m.id FROM sending_message m WHERE m.status IN ('queued', 'deferred') "
           "AND m.due_at <= %s AND m.send_id IN "
           "(SELECT s.id FROM sending_send s WHERE s.status = 'sending') "
           "ORDER BY m.due_at LIMIT %s")
    if connection.vendor == "postgresql":
        sql = (f"WITH due AS ({due} FOR UPDATE OF m SKIP LOCKED) "
               "UPDATE sending_message SET status = 'sending', lease_until = %s, "
               "attempts = attempts + 1 FROM due WHERE sending_message.id = due.id "
               f"RETURNING {', '.join('sending_message.' + c for c in CLAIM_COLUMNS.split(', '))}")
    else:  # one statement under SQLite's write lock: nobody else claims meanwhile
        sql = ("UPDATE sending_message SET status = 'sending', lease_until = %s, "
               f"attempts = attempts + 1 WHERE id IN ({due}) RETURNING {CLAIM_COLUMNS}")
        return _run_claim(sql, [lease, adapt(now), settings.batch])
    return _run_claim(sql, [adapt(now), settings.batch, lease])


def _run_claim(sql: str, params: list) -> list[Claimed]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return sorted((Claimed(*row) for row in rows), key=lambda c: (c.send_id, c.pk))


def recover_expired_leases(now, settings: conf.SendSettings) -> int:
    """Messages whose worker stopped mid-conversation: retried with the same Message-ID and
    counted as uncertain, or failed when their attempts are used up."""
    expired = Message.objects.filter(status=Message.Status.SENDING, lease_until__lt=now)
    exhausted = list(expired.filter(attempts__gte=settings.max_attempts)
                     .values_list("pk", "send_id", "contact_id"))
    if exhausted:
        Message.objects.filter(pk__in=[pk for pk, *_ in exhausted]).update(
            status=Message.Status.FAILED, reason="retries_exhausted", lease_until=None,
            uncertain_attempts=F("uncertain_attempts") + 1)
        sends = Send.objects.annotate(campaign_pk=F("campaign__id")).in_bulk(
            {send_id for _pk, send_id, _c in exhausted})
        emit_many(NewEvent("email.failed", contact_id=contact_id, subject=sends[send_id],
                           data=SendInfo(sends[send_id], sends[send_id].campaign_pk).event_data(
                               Claimed(pk, send_id, contact_id, "", "", 0, 0, ""),
                               reason="retries_exhausted", smtp_code=None))
                  for pk, send_id, contact_id in exhausted)
    return len(exhausted) + expired.update(
        status=Message.Status.DEFERRED, lease_until=None, due_at=now,
        uncertain_attempts=F("uncertain_attempts") + 1)


def _skip_excluded(claimed: list[Claimed]) -> list[Claimed]:
    """Consent checked again at the last moment: whoever unsubscribed or was suppressed since
    the send started is skipped, with the reason."""
    by_send: dict[int, list[Claimed]] = {}
    for message in claimed:
        by_send.setdefault(message.send_id, []).append(message)
    sends = Send.objects.filter(pk__in=by_send).select_related("subscription_type")
    types = {send.pk: send.subscription_type for send in sends}
    skipped: dict[str, list[int]] = {}
    for send_id, messages in by_send.items():
        subscription_type = types.get(send_id)
        contacts = Contact.objects.filter(pk__in=[m.contact_id for m in messages])
        verdicts = dict(annotate_exclusion(contacts, subscription_type)
                        .values_list("pk", "exclusion"))
        for message in messages:
            reason = ("contact_deleted" if message.contact_id not in verdicts
                      else verdicts[message.contact_id])
            if reason:
                skipped.setdefault(reason, []).append(message.pk)
    for reason, pks in skipped.items():
        Message.objects.filter(pk__in=pks).update(
            status=Message.Status.SKIPPED, reason=reason, lease_until=None,
            attempts=F("attempts") - 1)
    gone = {pk for pks in skipped.values() for pk in pks}
    return [message for message in claimed if message.pk not in gone]


def _throttle(claimed: list[Claimed], settings: conf.SendSettings) -> list[Claimed]:
    if not settings.domain_limits:
        return claimed
    by_domain: dict[str, list[Claimed]] = {}
    for message in claimed:
        by_domain.setdefault(message.domain, []).append(message)
    kept: list[Claimed] = []
    for domain, messages in by_domain.items():
        limit = throttle.limit_for(domain, settings.domain_limits)
        if limit is None:
            kept += messages
            continue
        granted, wait = throttle.reserve(domain, len(messages), limit)
        kept += messages[:granted]
        if messages[granted:]:
            release(messages[granted:], delay=wait)
    return sorted(kept, key=lambda c: (c.send_id, c.pk))


def release(messages: list[Claimed], *, delay: float) -> None:
    """Give claimed messages back unattempted (over a rate, out of lease time, server down)."""
    due = timezone.now() + timedelta(seconds=delay + random.uniform(0, min(delay, 1.0)))
    by_attempts: dict[int, list[int]] = {}
    for message in messages:
        by_attempts.setdefault(message.attempts, []).append(message.pk)
    for attempts, pks in by_attempts.items():  # only while the claim is still ours
        Message.objects.filter(pk__in=pks, status=Message.Status.SENDING,
                               attempts=attempts).update(
            status=Message.Status.DEFERRED, lease_until=None, due_at=due,
            attempts=attempts - 1)


# --- Recording answers ----------------------------------------------------------------------


def _backoff(attempts: int, settings: conf.SendSettings) -> float:
    delay = min(settings.retry_max, settings.retry_base * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.5, 1.0)


def record(message: Claimed, outcome: transport.Outcome, info: SendInfo, *,
           settings: conf.SendSettings, subject: str = "") -> str:
    """Write the server's answer for a claimed message; returns the status written."""
    now = timezone.now()
    fields: dict = {"lease_until": None, "smtp_code": outcome.code,
                    "smtp_response": outcome.response}
    event = None
    if outcome.result == transport.SENT:
        fields.update(status=Message.Status.SENT, sent_at=now, reason="")
        event = ("email.sent", info.event_data(message, subject=subject,
                                               variant=message.variant))
    elif outcome.result == transport.FAILED:
        reason = "hard_bounce" if outcome.recipient_unknown else "rejected"
        fields.update(status=Message.Status.FAILED, reason=reason)
        if outcome.recipient_unknown:
            fields.update(bounce_kind="hard", bounced_at=now)
        event = ("email.failed", info.event_data(message, reason=reason,
                                                 smtp_code=outcome.code))
    elif message.attempts >= settings.max_attempts:
        fields.update(status=Message.Status.FAILED, reason="retries_exhausted")
        event = ("email.failed", info.event_data(message, reason="retries_exhausted",
                                                 smtp_code=outcome.code))
    else:
        fields.update(status=Message.Status.DEFERRED, reason="",
                      due_at=now + timedelta(seconds=_backoff(message.attempts, settings)))
    if outcome.result == transport.UNCERTAIN:
        fields["uncertain_attempts"] = F("uncertain_attempts") + 1
    with transaction.atomic():
        if connection.vendor == "postgresql" and not _asynchronous_session():
            # A worker crash cannot lose this commit (the server has it); only a crash of
            # PostgreSQL itself could, and that makes the message be retried, never lost.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        updated = Message.objects.filter(
            pk=message.pk, attempts=message.attempts,
            status__in=[Message.Status.SENDING, Message.Status.DEFERRED]).update(**fields)
        if not updated:  # another worker took over after our lease expired
            return "lost"
        if outcome.recipient_unknown:
            from clarion.subscriptions.services import suppress

            suppress(message.email, "hard_bounce", detail=outcome.response[:255])
        if event is not None:
            emit(event[0], contact_id=message.contact_id, subject=info.send, data=event[1])
    return fields["status"]


def _asynchronous_session() -> bool:
    return (connection.connection is not None
            and getattr(connection, "_clarion_async_commit", None) is connection.connection)


def use_asynchronous_commits() -> None:
    """For a connection only a delivery loop uses (send-worker): asynchronous commits for the
    whole session, saving a round trip per message (see `record`)."""
    if connection.vendor != "postgresql" or _asynchronous_session():
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    connection._clarion_async_commit = connection.connection


def record_render_failure(message: Claimed, error: Exception, info: SendInfo) -> None:
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, attempts=message.attempts,
                                         status=Message.Status.SENDING).update(
            status=Message.Status.FAILED, reason="render_error", lease_until=None,
            smtp_response=str(error)[:1000])
        if updated:
            emit("email.failed", contact_id=message.contact_id, subject=info.send,
                 data=info.event_data(message, reason="render_error", smtp_code=None))


# --- The worker -----------------------------------------------------------------------------


class Worker:
    """One delivery loop with its own SMTP connection and compiled templates."""

    def __init__(self, *, settings: conf.SendSettings | None = None,
                 mail_transport=None, own_connection: bool = False) -> None:
        self.settings = settings or conf.current()
        # A dedicated process's connection (send-worker) may change session settings.
        self.own_connection = own_connection
        self.transport = mail_transport or transport.from_settings()
        self.sends: dict[int, SendInfo] = {}
        self.delivered = 0

    def close(self) -> None:
        self.transport.quit()

    def run_once(self) -> int:
        """Claim one batch and deliver it; the number of messages claimed."""
        started = time.monotonic()
        if self.own_connection:
            use_asynchronous_commits()
        claimed = claim_due_messages(self.settings)
        if not claimed:
            return 0
        timeout = getattr(self.transport, "timeout", 30)
        margin = min(3 * timeout + 5, self.settings.lease_seconds / 2)
        deadline = started + self.settings.lease_seconds - margin
        infos = self._send_infos({message.send_id for message in claimed})
        contexts = personalize.contact_contexts(
            [m.contact_id for m in claimed if m.contact_id is not None])
        connection_failures = 0
        for index, message in enumerate(claimed):
            if time.monotonic() > deadline or connection_failures >= 2:
                release(claimed[index:], delay=self.settings.retry_base / 4)
                break
            delivered = self._deliver(message, infos[message.send_id], contexts)
            if delivered is None:
                continue
            outcome, subject = delivered
            connection_failures = connection_failures + 1 if outcome.connection_failed else 0
            if record(message, outcome, infos[message.send_id], settings=self.settings,
                      subject=subject) == Message.Status.SENT:
                self.delivered += 1
        return len(claimed)

    def _deliver(self, message: Claimed, info: SendInfo, contexts: dict
                 ) -> tuple[transport.Outcome, str] | None:
        try:
            rendered = self._render(message, info, contexts.get(message.contact_id, {}))
        except personalize.PersonalizationError as error:
            record_render_failure(message, error, info)
            return None
        data = mime.to_bytes(rendered)
        sender = info.send.sender
        if sender is not None and sender.dkim_private_key and sender.dkim_selector:
            data = signing.sign(data, domain=sender.dkim_domain or _domain(sender.from_email),
                                selector=sender.dkim_selector,
                                private_pem=sender.dkim_private_key)
        envelope_from = self.settings.bounce_address or rendered.from_email
        outcome = self.transport.deliver(envelope_from=envelope_from,
                                         recipient=message.email, message=rendered, data=data)
        return outcome, rendered.subject

    def _render(self, message: Claimed, info: SendInfo, context: dict) -> mime.Rendered:
        prepared = self._prepared(info, message.variant)
        token = message_token(message.pk)
        sender = info.send.sender
        subject, html, text = prepared.render({
            **context, **recipient_links(token),
            "sender": personalize.sender_context(sender), "_t": TrackingContext(token)})
        headers = list_unsubscribe_headers(token)
        headers["Feedback-ID"] = f"{info.send.pk}:{info.send.kind}:clarion"
        return mime.Rendered(from_name=sender.from_name if sender else "",
                             from_email=sender.from_email if sender else "clarion@localhost",
                             reply_to=sender.reply_to if sender else "", to=message.email,
                             subject=subject, text=text, html=html,
                             message_id=message.message_id, headers=headers)

    def _prepared(self, info: SendInfo, variant: int) -> personalize.Prepared:
        if variant not in info.prepared:
            source = info.send.variants[min(variant, len(info.send.variants) - 1)]
            html = instrument(source.get("html", ""), source.get("links", []),
                              opens=info.send.track_opens, clicks=info.send.track_clicks)
            info.prepared[variant] = personalize.prepare({**source, "html": html})
        return info.prepared[variant]

    def _send_infos(self, send_ids: set[int]) -> dict[int, SendInfo]:
        stale = time.monotonic() - SEND_INFO_TTL
        self.sends = {pk: info for pk, info in self.sends.items() if info.loaded_at > stale}
        missing = send_ids - set(self.sends)
        if missing:
            rows = Send.objects.filter(pk__in=missing).select_related("sender").annotate(
                campaign_pk=F("campaign__id"))
            for send in rows:
                self.sends[send.pk] = SendInfo(send=send, campaign_id=send.campaign_pk)
        return {send_id: self.sends[send_id] for send_id in send_ids}

    def run(self, *, time_budget: float | None = None, until_idle: bool = False,
            stop: threading.Event | None = None, idle_sleep: float = 1.0) -> int:
        """Deliver until nothing is due (or, `until_idle`, until no send has anything left
        to deliver), the time budget is spent, or `stop` is set. Returns messages sent."""
        stop = stop or threading.Event()
        ends = time.monotonic() + time_budget if time_budget else None
        last_finish = 0.0
        while not stop.is_set() and (ends is None or time.monotonic() < ends):
            claimed = self.run_once()
            if claimed and time.monotonic() - last_finish < 5:
                continue
            finish_done_sends()
            last_finish = time.monotonic()
            if claimed:
                continue
            if not until_idle or not work_left():
                break
            stop.wait(idle_sleep)
        return self.delivered


def work_left() -> bool:
    """Any message of a sending send still to deliver (due or not, or being delivered)."""
    return Message.objects.filter(
        status__in=["queued", "deferred", "sending"],
        send__status=Send.Status.SENDING).exists()


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()
