"""Demo data of the marketing area: a sender identity, subscription types, three emails made
from the built-in templates, three campaigns already sent with realistic results (one an A/B
test with its winner), and a scheduled one.

The sent campaigns go through the real engine to choose their recipients (one message per
contact, consent and suppression applied), then their results are written set-based: message
counters and the matching email events on the contacts' timelines, spread over the days
after each send. Bounces and unsubscribes go through the consent services, so a later
campaign leaves those people out for the right reason. Nothing is delivered: every message
is settled inside the transaction that resolved it.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.campaigns.models import Campaign, CampaignVariant
from clarion.core.events import NewEvent, emit_many
from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.emails.models import Email
from clarion.sending.models import Message, Send, SenderIdentity
from clarion.subscriptions.models import ConsentRecord, SubscriptionType

# The segments of the segments demo the campaigns go to.
ATTENDEES, SOFTWARE_LEADS = "Event attendees", "Leads in software companies"
PRICING_VISITORS, QUIET = "Visited pricing 3+ times this month", "Quiet for 30 days"
POSTAL_ADDRESS = "Clarion Demo Ltd · 12 Harbour Street · Bristol BS1 4RN · United Kingdom"


@dataclass(frozen=True)
class Results:
    """The chance of each outcome for one message (of those delivered, for engagement)."""

    bounce: float = 0.03
    hard_share: float = 0.6
    min_bounces: int = 0
    open: float = 0.42
    machine_open: float = 0.18
    click_of_openers: float = 0.3
    unsubscribe: float = 0.02
    complaint: float = 0.0


# --- set-up: who sends, what kinds of email, which emails ------------------------------------

def _sender() -> SenderIdentity:
    sender = SenderIdentity.objects.filter(is_default=True).first()
    if sender is None:
        sender = SenderIdentity.objects.create(
            name=_("Marketing"), from_name="Clarion Demo", from_email="news@clarion.example.com",
            reply_to="hello@clarion.example.com", postal_address=POSTAL_ADDRESS,
            is_default=True)
    return sender


def _subscription_types() -> tuple[SubscriptionType, SubscriptionType]:
    marketing = (SubscriptionType.objects.filter(is_default=True).first()
                 or SubscriptionType.objects.create(
                     name=_("Marketing email"), description=_("News, offers and updates."),
                     is_default=True))
    events, _created = SubscriptionType.objects.get_or_create(
        name=_("Events and webinars"),
        defaults={"description": _("Invitations to our events and online sessions."),
                  "position": 1})
    return marketing, events


def _emails(owner) -> dict[str, Email]:
    from clarion.emails.library import get_template

    # Subjects without tokens: the demo's email events carry them as they were sent.
    subjects = {"newsletter": _("The Clarion monthly: what's new"),
                "announcement": _("Introducing live segments"),
                "event_invite": _("You're invited: an afternoon with our team")}
    emails = {}
    for key, subject in subjects.items():
        template = get_template(key)
        emails[key] = Email.objects.create(
            name=str(template.name), subject=subject, preheader=template.preheader,
            document=template.new_document(), owner=owner)
    return emails


def _segments_as_of(moment: datetime) -> dict:
    """The demo segments by name, their members counted as members since `moment` (before
    the first campaign), so each trace finds them in the segments at send time."""
    from clarion.segments.models import Segment, SegmentMembership

    segments = {s.name: s for s in Segment.objects.filter(
        name__in=[ATTENDEES, SOFTWARE_LEADS, PRICING_VISITORS, QUIET])}
    ids = [segment.pk for segment in segments.values()]
    SegmentMembership.objects.filter(segment_id__in=ids).update(joined_at=moment)
    Event.objects.filter(kind="segment.joined", subject_id__in=ids,
                         subject_type__model="segment").update(occurred_at=moment)
    return segments


# --- sending and results --------------------------------------------------------------------

def _send(campaign: Campaign, variants: list[dict], at: datetime, *,
          ab: tuple[int, int] | None = None) -> Send:
    """Choose the campaign's recipients through the engine, dated `at`."""
    from clarion.segments.models import SegmentMembership
    from clarion.sending.services import create_send, resolve_recipients

    send = create_send(name=campaign.name, sender=campaign.sender,
                       subscription_type=campaign.subscription_type, variants=variants,
                       created_by=campaign.owner)
    members = SegmentMembership.objects.filter(
        segment__in=campaign.include_segments.all()).values("contact_id")
    resolve_recipients(send, Contact.objects.filter(pk__in=members), due_at=at, ab=ab)
    Message.objects.filter(send=send).update(created_at=at, due_at=at)
    return send


def _settle(campaign: Campaign, send: Send, at: datetime, rng: random.Random,
            results: Results, variant_results: dict[int, Results] | None = None,
            status: str = Message.Status.QUEUED, prefer: frozenset = frozenset()
            ) -> list[Message]:
    """Mark the send's messages in `status` as sent shortly after `at`, with outcomes."""
    messages = list(Message.objects.filter(send=send, status=status).order_by("pk"))
    events: list[NewEvent] = []
    base = {"send_id": send.pk, "campaign_id": campaign.pk, "name": send.name}
    # Bounces among the `prefer`red contacts when there are some (so a later campaign
    # shows them left out), hard ones first.
    candidates = [m for m in messages if m.contact_id in prefer] or messages
    bounced = rng.sample(candidates, min(len(candidates), max(
        results.min_bounces, round(results.bounce * len(messages)))))
    hard = {m.pk for m in bounced[:max(1, round(results.hard_share * len(bounced)))]
            } if bounced else set()
    openers = _openers([m for m in messages if m not in bounced], rng, results,
                       variant_results or {})
    # A share of the openers click (at least one, so every report has links to show).
    ranked = sorted(openers)
    clickers = set(rng.sample(ranked, min(len(ranked), max(
        1, round(results.click_of_openers * len(ranked))))))
    for message in messages:
        bounce = "hard" if message.pk in hard else "soft" if message in bounced else ""
        outcome = (variant_results or {}).get(message.variant, results)
        events += _outcome(message, send, base, at, rng, outcome, bounce,
                           opens=message.pk in openers, clicks=message.pk in clickers)
    # The rows were written moments ago in this transaction and nothing refers to them yet:
    # writing them again whole is two statements, where an UPDATE per row would be hundreds.
    Message.objects.filter(pk__in=[m.pk for m in messages]).delete()
    Message.objects.bulk_create(messages, batch_size=1000)
    emit_many(events)
    return messages


def _openers(delivered: list[Message], rng: random.Random, results: Results,
             variant_results: dict[int, Results]) -> set[int]:
    """Exactly each variant's open rate of its delivered messages (small demo lists would
    otherwise stray far from it)."""
    chosen: set[int] = set()
    for variant in {m.variant for m in delivered}:
        group = [m for m in delivered if m.variant == variant]
        rate = variant_results.get(variant, results).open
        chosen |= {m.pk for m in rng.sample(group, round(rate * len(group)))}
    return chosen


class _Events:
    """The email events of one message, as the engine and tracking write them."""

    def __init__(self, message: Message, send: Send, base: dict) -> None:
        self.message, self.send = message, send
        self.data = {**base, "message_id": message.pk}
        self.events: list[NewEvent] = []

    def add(self, kind: str, when: datetime, **data) -> None:
        self.events.append(NewEvent(kind, contact_id=self.message.contact_id,
                                    subject=self.send, occurred_at=when,
                                    data={**self.data, **data}))


def _outcome(message: Message, send: Send, base: dict, at: datetime, rng: random.Random,
             results: Results, bounce: str, *, opens: bool, clicks: bool) -> list[NewEvent]:
    """Fill in what happened to one message; the events that say so."""
    sent = at + timedelta(seconds=rng.uniform(5, 600))
    message.status, message.sent_at, message.attempts = Message.Status.SENT, sent, 1
    message.smtp_code, message.smtp_response = 250, "2.0.0 OK: queued"
    message.message_id = message.message_id or f"<demo.{send.pk}.{message.pk}@clarion.example.com>"
    events = _Events(message, send, base)
    events.add("email.sent", sent, subject=send.variants[message.variant]["subject"],
               variant=message.variant)
    if bounce:
        hard = bounce == "hard"
        message.bounced_at = sent + timedelta(minutes=rng.uniform(1, 30))
        message.bounce_kind = bounce
        diagnostic = ("550 5.1.1 The email account that you tried to reach does not exist"
                      if hard else "452 4.2.2 Mailbox full")
        events.add("email.bounced", message.bounced_at, bounce=message.bounce_kind,
                   diagnostic=diagnostic)
        return events.events
    message.delivered_at = sent + timedelta(seconds=rng.uniform(1, 20))
    if rng.random() < results.machine_open:
        message.machine_open_count = rng.randint(1, 3)
    if opens:
        _opens(events, sent, rng, clicks)
    if rng.random() < results.complaint:
        message.complained_at = sent + timedelta(hours=rng.uniform(1, 30))
        events.add("email.complained", message.complained_at)
    return events.events


def _opens(events: _Events, sent: datetime, rng: random.Random, clicks: bool) -> None:
    message = events.message
    # Most people open within hours, a few days later.
    first = sent + timedelta(hours=min(rng.expovariate(1 / 7), 24 * 9))
    moments = sorted([first] + [first + timedelta(hours=rng.uniform(0.2, 72))
                                for _extra in range(rng.choice([0, 0, 0, 1, 1, 2]))])
    message.opened_at, message.open_count = first, len(moments)
    for moment in moments:
        events.add("email.opened", moment)
    links = events.send.variants[message.variant].get("links") or []
    if links and clicks:
        # The first links (the lead story, the main button) draw most clicks.
        weights = [1 / (index + 1) for index in range(len(links))]
        count = rng.choice([1, 1, 1, 2, 3])
        message.clicked_at = first + timedelta(minutes=rng.uniform(0.5, 20))
        message.click_count = count
        for number in range(count):
            link = rng.choices(range(len(links)), weights)[0]
            events.add("email.clicked", message.clicked_at + timedelta(minutes=3 * number),
                       url=links[link], link=link)
    if rng.random() < 0.05:
        message.machine_click_count = 1  # a link scanner checked the links first


def _unsubscribe_some(messages: list[Message], send: Send, subscription_type, share: float,
                      rng: random.Random, prefer: frozenset = frozenset()) -> None:
    """A few readers unsubscribe from the email's link, through the consent services; the
    records are dated to when they read it."""
    from clarion.subscriptions.services import unsubscribe

    opened = [m for m in messages if m.opened_at and m.contact_id]
    opened = [m for m in opened if m.contact_id in prefer] or opened
    count = min(len(opened), max(1, round(share * len(messages)))) if share else 0
    for message in rng.sample(opened, count):
        since = timezone.now()
        when = message.opened_at + timedelta(minutes=rng.uniform(1, 10))
        unsubscribe(message.contact, subscription_type, method=ConsentRecord.Method.ONE_CLICK,
                    message=message)
        Message.objects.filter(pk=message.pk).update(unsubscribed_at=when)
        _backdate(message.contact_id, since, when)


def _backdate(contact_id: int, since: datetime, when: datetime) -> None:
    """The events and consent records the consent services just wrote, dated `when`."""
    Event.objects.filter(contact_id=contact_id, occurred_at__gte=since).update(
        occurred_at=when)
    ConsentRecord.objects.filter(contact_id=contact_id, occurred_at__gte=since).update(
        occurred_at=when)


def _suppress_hard_bounces(messages: list[Message]) -> None:
    from clarion.subscriptions.models import Suppression
    from clarion.subscriptions.services import suppress

    for message in messages:
        if message.bounce_kind != "hard":
            continue
        since = timezone.now()
        suppress(message.email, Suppression.Reason.HARD_BOUNCE,
                 detail=_("Hard bounce from a demo campaign"))
        Suppression.objects.filter(email=message.email.lower()).update(
            created_at=message.bounced_at)
        _backdate(message.contact_id, since, message.bounced_at)


def _finish(campaign: Campaign, send: Send, at: datetime) -> None:
    Send.objects.filter(pk=send.pk).update(status=Send.Status.DONE, started_at=at,
                                           created_at=at, finished_at=at + timedelta(minutes=12))
    campaign.send = send
    campaign.status = Campaign.Status.SENT
    campaign.launched_at = campaign.sent_at = at
    campaign.save(update_fields=["send", "status", "launched_at", "sent_at"])


# --- the campaigns ---------------------------------------------------------------------------

def _compiled(email: Email, subject: str | None = None) -> dict:
    from clarion.emails.rendering import compile_email

    return compile_email(email, subject=subject)


def _broadcast(*, owner, name: str, email: Email, segments: list, at: datetime,
               subscription_type, sender, rng: random.Random, results: Results,
               prefer: frozenset = frozenset()) -> Campaign:
    campaign = Campaign.objects.create(
        name=name, email=email, sender=sender, subscription_type=subscription_type,
        owner=owner, created_at=at - timedelta(days=2), updated_at=at)
    campaign.include_segments.set(segments)
    send = _send(campaign, [_compiled(email)], at)
    messages = _settle(campaign, send, at, rng, results, prefer=prefer)
    _suppress_hard_bounces(messages)
    _unsubscribe_some(messages, send, subscription_type, results.unsubscribe, rng, prefer)
    _finish(campaign, send, at)
    return campaign


def _ab_test(*, owner, email: Email, segments: list, at: datetime, subscription_type, sender,
             rng: random.Random) -> Campaign:
    """A subject-line test on half the list; the winner on opens went to the rest."""
    subjects = [_("You're invited: an afternoon with our team"),
                _("Save your seat for 4 December: talks, a workshop and coffee")]
    campaign = Campaign.objects.create(
        name=_("Customer afternoon invitation"), email=email, sender=sender,
        subscription_type=subscription_type, owner=owner, ab_test=Campaign.ABTest.SUBJECT,
        test_percent=50, winner_metric=Campaign.WinnerMetric.OPENS,
        winner_wait=timedelta(hours=4), created_at=at - timedelta(days=1), updated_at=at)
    campaign.include_segments.set(segments)
    for position, subject in enumerate(subjects):
        CampaignVariant.objects.create(campaign=campaign, position=position, subject=subject)
    send = _send(campaign, [_compiled(email, subject) for subject in subjects], at, ab=(50, 2))
    test_results = {0: Results(open=0.32), 1: Results(open=0.55)}
    tested = _settle(campaign, send, at, rng, Results(), test_results)
    decided = at + timedelta(hours=4)
    result = _winner_result(tested)
    Message.objects.filter(send=send, status=Message.Status.HELD).update(
        variant=result["winner"])
    rest = _settle(campaign, send, decided, rng, Results(open=0.5),
                   status=Message.Status.HELD)
    _suppress_hard_bounces(tested + rest)
    _unsubscribe_some(tested + rest, send, subscription_type, 0.01, rng)
    _finish(campaign, send, at)
    campaign.winner_variant, campaign.winner_decided_at = result["winner"], decided
    campaign.winner_result = result
    campaign.save(update_fields=["winner_variant", "winner_decided_at", "winner_result"])
    return campaign


def _winner_result(tested: list[Message]) -> dict:
    """The test's result as the campaign records it: opens per variant of the test group,
    compared with the campaign's own statistics."""
    from clarion.campaigns.stats import VariantOutcome, compare

    outcomes = [VariantOutcome(position, sum(1 for m in tested if m.variant == position),
                               sum(1 for m in tested if m.variant == position and m.opened_at))
                for position in (0, 1)]
    return dict(compare(outcomes).as_dict(), metric=Campaign.WinnerMetric.OPENS)


def _scheduled(*, owner, email: Email, segments: list, leave_out: list, subscription_type,
               sender) -> Campaign:
    campaign = Campaign.objects.create(
        name=_("December newsletter"), email=email, sender=sender,
        subscription_type=subscription_type, owner=owner, status=Campaign.Status.SCHEDULED,
        schedule=Campaign.Schedule.RECIPIENT_TIME, fallback_time_zone="Europe/London",
        scheduled_for=(timezone.now() + timedelta(days=7)).replace(
            hour=9, minute=0, second=0, microsecond=0))
    campaign.include_segments.set(segments)
    campaign.exclude_segments.set(leave_out)
    return campaign


@transaction.atomic
def load_demo(people) -> str:
    """The marketing demo, on the segments demo; "" when it is already there (or there are
    no demo segments to send to)."""
    from clarion.segments.models import SegmentMembership

    if Campaign.objects.exists() or not people:
        return ""
    now = timezone.now().replace(second=0, microsecond=0)
    segments = _segments_as_of(now - timedelta(days=60))
    if len(segments) < 4:
        return ""
    owner = next((p for p in people if p.is_superuser), people[0])
    rng = random.Random(7)
    sender = _sender()
    marketing, events_type = _subscription_types()
    emails = _emails(owner)
    everyone = [segments[name] for name in (ATTENDEES, SOFTWARE_LEADS, PRICING_VISITORS,
                                            QUIET)]
    warm = [segments[SOFTWARE_LEADS], segments[PRICING_VISITORS]]
    # Who gets the launch too: a bounce or unsubscribe of October's shows there as left out.
    later = frozenset(SegmentMembership.objects.filter(segment__in=warm).values_list(
        "contact_id", flat=True))
    common = {"owner": owner, "sender": sender, "rng": rng}
    _broadcast(name=_("October newsletter"), email=emails["newsletter"], segments=everyone,
               at=now - timedelta(days=24, hours=3), subscription_type=marketing,
               results=Results(open=0.45, unsubscribe=0.03, min_bounces=2), prefer=later,
               **common)
    _broadcast(name=_("Launch: live segments"), email=emails["announcement"], segments=warm,
               at=now - timedelta(days=10, hours=5), subscription_type=marketing,
               results=Results(open=0.4, click_of_openers=0.5, unsubscribe=0), **common)
    _ab_test(email=emails["event_invite"], segments=[segments[ATTENDEES], *warm],
             at=now - timedelta(days=4, hours=2), subscription_type=events_type, **common)
    _scheduled(owner=owner, email=emails["newsletter"],
               segments=[segments[ATTENDEES], *warm], leave_out=[segments[QUIET]],
               subscription_type=marketing, sender=sender)
    return _("Demo emails and campaigns loaded (three sent, one an A/B test, one scheduled).")
