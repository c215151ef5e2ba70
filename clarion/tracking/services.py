"""Every write of tracking: what a recipient, their mail server or an email service did with a
message we sent. Each is one transaction with set-based conditional UPDATEs on the message
(`open_count = open_count + 1`, `opened_at` only while empty), so concurrent requests never
lose a count, and the events are emitted in it — exactly once per happening, because a
"first" event (delivered, bounced, complained) is emitted only by the UPDATE that changed the
row.

    record_open(pk, request, at=)          email.opened (people only)
    record_click(pk, index, request, at=)  email.clicked (people only); returns the URL
    record_click_url(pk, url, request, at=) the same for a click an email service reports
    record_delivery(pk, at=)               email.delivered
    record_bounce(pk, bounce=, …)          email.bounced; suppresses hard bounces and
                                           repeated soft ones
    record_complaint(pk, …)                email.complained; suppresses, unsubscribes
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clarion.core.events import NewEvent, emit_many
from clarion.sending.models import Message, Send
from clarion.tracking import detection, queries
from clarion.tracking.instrument import is_trackable

HARD, SOFT = "hard", "soft"
_BURST_KEY = "tracking:burst:{pk}"


def soft_bounce_limit() -> int:
    return settings.CLARION_SOFT_BOUNCE_LIMIT


# --- Opens and clicks -----------------------------------------------------------------------

def record_open(pk: int, request: detection.Request, *, at: datetime | None = None,
                machine: bool = False) -> str | None:
    """Count one fetch of the message's open pixel: "human", "machine", or None when there is
    no such sent message. `machine`: the reporter already knows it was a machine."""
    facts = queries.message_facts(pk)
    if facts is None or not queries.send_facts(facts["send_id"])["track_opens"]:
        return None
    at = at or timezone.now()
    request = _timed(request, facts, at)
    if machine or detection.is_machine_open(request):
        Message.objects.filter(pk=pk).update(machine_open_count=F("machine_open_count") + 1)
        return "machine"
    with transaction.atomic():
        Message.objects.filter(pk=pk).update(
            open_count=F("open_count") + 1,
            opened_at=Coalesce(F("opened_at"), Value(at)))
        _emit("email.opened", facts, at=at)
    return "human"


def record_click(pk: int, index: int, request: detection.Request, *,
                 at: datetime | None = None) -> str | None:
    """Count a click on link `index` of the message's variant; the URL to redirect to, or
    None when the message was not sent or has no trackable link at that index (nothing is
    recorded then, and the caller answers 404: no redirect anywhere else)."""
    facts = queries.message_facts(pk)
    if facts is None:
        return None
    send = queries.send_facts(facts["send_id"])
    links = queries.variant_links(send, facts["variant"])
    if not 0 <= index < len(links) or not is_trackable(links[index]):
        return None
    url = links[index]
    if send["track_clicks"]:  # else a hand-made link of an untracked send: just redirect
        _count_click(facts, index, url, request, at or timezone.now())
    return url


def record_click_url(pk: int, url: str, request: detection.Request, *,
                     at: datetime | None = None) -> bool:
    """A click an email service tracked itself (its webhook names the URL)."""
    facts = queries.message_facts(pk)
    if facts is None or not url:
        return False
    links = queries.variant_links(queries.send_facts(facts["send_id"]), facts["variant"])
    index = links.index(url) if url in links else None
    _count_click(facts, index, url, request, at or timezone.now())
    return True


def _count_click(facts: dict, index: int | None, url: str, request: detection.Request,
                 at: datetime) -> None:
    pk = facts["id"]
    request = _timed(request, facts, at)
    burst = index is not None and _is_burst(pk, index, at)
    if detection.is_scanner_click(request, burst=burst):
        Message.objects.filter(pk=pk).update(machine_click_count=F("machine_click_count") + 1)
        return
    with transaction.atomic():
        Message.objects.filter(pk=pk).update(
            click_count=F("click_count") + 1,
            clicked_at=Coalesce(F("clicked_at"), Value(at)))
        # A click means the message was read, even when its images never loaded.
        first_open = Message.objects.filter(pk=pk, opened_at__isnull=True).update(
            opened_at=at, open_count=F("open_count") + 1)
        if first_open:
            _emit("email.opened", facts, at=at, implied_by_click=True)
        _emit("email.clicked", facts, at=at, url=url, link=index)


def _is_burst(pk: int, index: int, at: datetime) -> bool:
    """Whether a different link of this message was clicked less than a second ago."""
    key = _BURST_KEY.format(pk=pk)
    previous = cache.get(key)
    now = at.timestamp()
    cache.set(key, (index, now), timeout=5)
    if previous is None:
        return False
    previous_index, previous_at = previous
    return previous_index != index and now - previous_at < detection.BURST_SECONDS


def _timed(request: detection.Request, facts: dict, at: datetime) -> detection.Request:
    sent_at = facts["sent_at"]
    seconds = (at - sent_at).total_seconds() if sent_at else None
    return detection.Request(user_agent=request.user_agent, ip=request.ip,
                             method=request.method, seconds_since_sent=seconds,
                             agent_known=request.agent_known)


# --- Delivery, bounces, complaints ----------------------------------------------------------

def record_delivery(pk: int, *, at: datetime | None = None) -> bool:
    """The recipient's server accepted the message (an email service says so). True the
    first time."""
    facts = queries.message_facts(pk)
    if facts is None:
        return False
    at = at or timezone.now()
    with transaction.atomic():
        if not Message.objects.filter(pk=pk, delivered_at__isnull=True).update(delivered_at=at):
            return False
        _emit("email.delivered", facts, at=at)
    return True


def record_bounce(pk: int, *, bounce: str, diagnostic: str = "", status: str = "",
                  at: datetime | None = None) -> bool:
    """The message bounced. Hard: the address is suppressed. Soft: recorded; the address is
    suppressed after CLARION_SOFT_BOUNCE_LIMIT soft bounces in a row (its last messages all
    bounced softly). True when this changed the message (and email.bounced was emitted)."""
    facts = queries.message_facts(pk)
    if facts is None:
        return False
    at = at or timezone.now()
    diagnostic = diagnostic.strip()[:1000]
    with transaction.atomic():
        rows = Message.objects.filter(pk=pk)
        if bounce == HARD:  # a soft bounce may still turn hard, never the other way round
            changed = rows.exclude(bounce_kind=HARD).update(
                bounce_kind=HARD, bounced_at=Coalesce(F("bounced_at"), Value(at)))
        else:
            changed = rows.filter(bounce_kind="").update(bounce_kind=SOFT, bounced_at=at)
        if changed:
            _emit("email.bounced", facts, at=at, bounce=bounce, diagnostic=diagnostic,
                  status=status)
        if bounce == HARD:
            _suppress(facts["email"], "hard_bounce", f"{status} {diagnostic}".strip())
        elif changed and _soft_bounces_in_a_row(facts):
            _suppress(facts["email"], "hard_bounce",
                      f"{soft_bounce_limit()} soft bounces in a row; last: {diagnostic}")
    return bool(changed)


def _soft_bounces_in_a_row(facts: dict) -> bool:
    limit = soft_bounce_limit()
    if limit <= 0 or facts["contact_id"] is None:
        return False
    latest = list(Message.objects
                  .filter(contact_id=facts["contact_id"], status=Message.Status.SENT,
                          sent_at__isnull=False)
                  .order_by("-sent_at", "-id").values_list("bounce_kind", flat=True)[:limit])
    return len(latest) == limit and all(kind == SOFT for kind in latest)


def record_complaint(pk: int, *, feedback_type: str = "abuse",
                     at: datetime | None = None) -> bool:
    """The recipient marked the message as spam (a feedback-loop report). The address is
    suppressed and the contact unsubscribed from the send's subscription type. True the
    first time."""
    facts = queries.message_facts(pk)
    if facts is None:
        return False
    at = at or timezone.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=pk, complained_at__isnull=True).update(
            complained_at=at)
        if changed:
            _emit("email.complained", facts, at=at, feedback_type=feedback_type)
        _suppress(facts["email"], "complaint", f"Complaint ({feedback_type})")
        if changed:
            _unsubscribe(pk)
    return bool(changed)


def _suppress(address: str, reason: str, detail: str) -> None:
    from clarion.subscriptions import services as consent

    consent.suppress(address, reason, detail=detail[:500])


def _unsubscribe(pk: int) -> None:
    from clarion.subscriptions import services as consent
    from clarion.subscriptions.models import ConsentRecord

    message = (Message.objects.select_related("send__subscription_type", "contact")
               .get(pk=pk))
    if message.contact is not None and message.send.subscription_type_id:
        consent.unsubscribe(message.contact, message.send.subscription_type,
                            method=ConsentRecord.Method.COMPLAINT, message=message)


# --- Housekeeping ---------------------------------------------------------------------------

ROUTINE_KINDS = ("delivered", "opened", "clicked")


def prune_routine_notices(*, days: int | None = None) -> int:
    """Delete the dedupe rows of routine email service events (delivered, opened, clicked)
    older than CLARION_TRACKING_NOTICE_DAYS: services re-send a webhook within hours, and
    their effects are on the messages. Bounces, complaints and kept reports stay."""
    from clarion.tracking.models import Notice

    days = days if days is not None else settings.CLARION_TRACKING_NOTICE_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = Notice.objects.filter(kind__in=ROUTINE_KINDS,
                                               received_at__lt=cutoff).delete()
    return deleted


# --- Events ---------------------------------------------------------------------------------

def event_data(facts: dict, **extra) -> dict:
    send = queries.send_facts(facts["send_id"])
    # The send's name rides along so timelines need not load each event's send.
    data = {"send_id": facts["send_id"], "message_id": facts["id"], "name": send["name"]}
    campaign_id = send["campaign_id"]
    if campaign_id is not None:
        data["campaign_id"] = campaign_id
    data.update(extra)
    return data


def _emit(kind: str, facts: dict, *, at: datetime, **extra) -> None:
    emit_many([NewEvent(kind, contact_id=facts["contact_id"], subject=Send(pk=facts["send_id"]),
                        data=event_data(facts, **extra), occurred_at=at)])
