"""A campaign's report: what happened to its messages, read set-based from the `Message` rows
(one grouped query gives every number, per variant and in total) and from the email events on
the spine (opens and clicks over time, clicks per link).

Rates follow the usual definitions: delivered = sent − bounced; open rate = unique human
opens / delivered; click-through rate = unique human clicks / delivered; click-to-open rate =
unique human clicks / unique human opens. Machine opens (privacy proxies, prefetchers) and
scanner clicks are counted apart and never enter a rate.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDay, TruncHour
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clarion.campaigns.models import Campaign
from clarion.core.events.models import Event
from clarion.sending.models import Message, Send

# How each number of the report is counted, as a condition on the send's messages; the same
# condition lists the contacts behind the number (the drill-down).
SENT = Q(status=Message.Status.SENT)
METRICS: dict[str, Q] = {
    "recipients": Q(),
    "sent": SENT,
    "delivered": SENT & Q(bounced_at__isnull=True),
    "bounced": Q(bounced_at__isnull=False),
    "hard_bounced": Q(bounced_at__isnull=False, bounce_kind="hard"),
    "soft_bounced": Q(bounced_at__isnull=False) & ~Q(bounce_kind="hard"),
    "opened": Q(opened_at__isnull=False),
    "not_opened": SENT & Q(bounced_at__isnull=True, opened_at__isnull=True),
    "machine_opened": Q(machine_open_count__gt=0),
    "clicked": Q(clicked_at__isnull=False),
    "machine_clicked": Q(machine_click_count__gt=0),
    "unsubscribed": Q(unsubscribed_at__isnull=False),
    "complained": Q(complained_at__isnull=False),
    "failed": Q(status=Message.Status.FAILED),
    "skipped": Q(status=Message.Status.SKIPPED),
    "pending": Q(status__in=[Message.Status.QUEUED, Message.Status.DEFERRED,
                             Message.Status.SENDING, Message.Status.HELD]),
    "cancelled": Q(status=Message.Status.CANCELLED),
}
METRIC_LABELS = {
    "recipients": _("Recipients"),
    "sent": pgettext_lazy("email report", "Sent"),
    "delivered": pgettext_lazy("email report", "Delivered"),
    "bounced": pgettext_lazy("email report", "Bounced"),
    "hard_bounced": _("Hard bounces"),
    "soft_bounced": _("Soft bounces"),
    "opened": pgettext_lazy("email report", "Opened"),
    "not_opened": _("Not opened"),
    "machine_opened": _("Machine opens"),
    "clicked": pgettext_lazy("email report", "Clicked"),
    "machine_clicked": _("Scanner clicks"),
    "unsubscribed": pgettext_lazy("email report", "Unsubscribed"),
    "complained": _("Marked as spam"),
    "failed": pgettext_lazy("email report", "Failed"),
    "skipped": _("Not sent"),
    "pending": _("Still to send"),
    "cancelled": pgettext_lazy("email report", "Cancelled"),
}
# Why a message was not sent or failed, in words (Message.reason codes).
REASON_LABELS = {
    "no_email": _("No email address"),
    "suppressed": _("Suppressed address"),
    "unsubscribed": _("Unsubscribed"),
    "no_consent": _("No consent"),
    "pending_confirmation": _("Subscription not confirmed"),
    "duplicate_address": _("Duplicate address"),
    "hard_bounce": _("Hard bounce"),
    "rejected": _("Refused by the receiving server"),
    "excluded_segment": _("In a left-out segment"),
    "retries_exhausted": _("Gave up after retrying"),
    "render_error": _("The email could not be personalized"),
    "contact_deleted": _("Contact deleted"),
    "cancelled": _("Campaign cancelled"),
    "": _("No reason recorded"),
}
VARIANT_NAMES = "ABCDEFGH"
RATE_NAMES = ("delivery_rate", "bounce_rate", "open_rate", "click_rate", "click_to_open_rate",
              "unsubscribe_rate", "complaint_rate")
HOURLY_FOR = timedelta(hours=48)
LINK_LIMIT = 50


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason.replace("_", " ").capitalize()))


def variant_name(position: int) -> str:
    return VARIANT_NAMES[position] if 0 <= position < len(VARIANT_NAMES) else str(position + 1)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Numbers:
    """The counts of a set of messages (a variant, or the whole send) and their rates."""

    recipients: int = 0
    sent: int = 0
    bounced: int = 0
    hard_bounced: int = 0
    opened: int = 0
    opens: int = 0
    machine_opened: int = 0
    machine_opens: int = 0
    clicked: int = 0
    clicks: int = 0
    machine_clicked: int = 0
    machine_clicks: int = 0
    unsubscribed: int = 0
    complained: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    cancelled: int = 0

    def add(self, row: dict) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @property
    def soft_bounced(self) -> int:
        return self.bounced - self.hard_bounced

    @property
    def delivered(self) -> int:
        return self.sent - self.bounced

    @property
    def not_opened(self) -> int:
        return self.delivered - self.opened

    @property
    def delivery_rate(self) -> float | None:
        return _rate(self.delivered, self.sent)

    @property
    def bounce_rate(self) -> float | None:
        return _rate(self.bounced, self.sent)

    @property
    def open_rate(self) -> float | None:
        return _rate(self.opened, self.delivered)

    @property
    def click_rate(self) -> float | None:
        return _rate(self.clicked, self.delivered)

    @property
    def click_to_open_rate(self) -> float | None:
        return _rate(self.clicked, self.opened)

    @property
    def unsubscribe_rate(self) -> float | None:
        return _rate(self.unsubscribed, self.delivered)

    @property
    def complaint_rate(self) -> float | None:
        return _rate(self.complained, self.delivered)

    @property
    def percent(self) -> dict[str, str]:
        """Each rate for display: "23.4%", or "—" when there is nothing to divide by."""
        return {name: "—" if (value := getattr(self, name)) is None
                else f"{formats.number_format(value, 1)}%" for name in RATE_NAMES}

    def as_dict(self) -> dict:
        counts = {name: getattr(self, name) for name in self.__dataclass_fields__}
        derived = ("soft_bounced", "delivered", "not_opened", *RATE_NAMES)
        return {**counts, **{name: getattr(self, name) for name in derived}}


@dataclass
class VariantNumbers:
    position: int
    subject: str
    numbers: Numbers
    is_winner: bool = False

    @property
    def name(self) -> str:
        return variant_name(self.position)


@dataclass
class Report:
    campaign: Campaign
    send: Send | None
    totals: Numbers = field(default_factory=Numbers)
    variants: list[VariantNumbers] = field(default_factory=list)
    # [(reason code, label, count)], most first.
    skipped_by_reason: list[tuple[str, str, int]] = field(default_factory=list)
    failed_by_reason: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def is_ab_test(self) -> bool:
        return len(self.variants) > 1


def _count_if(condition: Q):
    return Count("id", filter=condition)


def _sum_if(column: str, condition: Q | None = None):
    return Coalesce(Sum(column, filter=condition), Value(0))


AGGREGATES = {
    "recipients": Count("id"),
    "sent": _count_if(METRICS["sent"]),
    "bounced": _count_if(METRICS["bounced"]),
    "hard_bounced": _count_if(METRICS["hard_bounced"]),
    "opened": _count_if(METRICS["opened"]),
    "opens": _sum_if("open_count"),
    "machine_opened": _count_if(METRICS["machine_opened"]),
    "machine_opens": _sum_if("machine_open_count"),
    "clicked": _count_if(METRICS["clicked"]),
    "clicks": _sum_if("click_count"),
    "machine_clicked": _count_if(METRICS["machine_clicked"]),
    "machine_clicks": _sum_if("machine_click_count"),
    "unsubscribed": _count_if(METRICS["unsubscribed"]),
    "complained": _count_if(METRICS["complained"]),
    "failed": _count_if(METRICS["failed"]),
    "skipped": _count_if(METRICS["skipped"]),
    "pending": _count_if(METRICS["pending"]),
    "cancelled": _count_if(METRICS["cancelled"]),
}


def message_counts(send: Send) -> list[dict]:
    """One row per (variant, status, reason) of the send's messages with every count: the
    one query the report's numbers come from."""
    return list(Message.objects.filter(send=send)
                .values("variant", "status", "reason")
                .annotate(**AGGREGATES).order_by("variant", "status", "reason"))


def _variant_subjects(campaign: Campaign, send: Send) -> dict[int, str]:
    subjects = {index: (variant or {}).get("subject", "")
                for index, variant in enumerate(send.variants or [])}
    for variant in campaign.variants.all():
        if variant.subject and not subjects.get(variant.position):
            subjects[variant.position] = variant.subject
    return subjects


def campaign_report(campaign: Campaign) -> Report:
    """The campaign's numbers in total, per A/B variant (winner marked) and the messages not
    sent or failed by reason. Two queries: the message counts and the variants' subjects."""
    send = campaign.send
    report = Report(campaign=campaign, send=send)
    if send is None:
        return report
    per_variant: dict[int, Numbers] = {}
    skipped: dict[str, int] = {}
    failed: dict[str, int] = {}
    for row in message_counts(send):
        report.totals.add(row)
        per_variant.setdefault(row["variant"], Numbers()).add(row)
        if row["status"] == Message.Status.SKIPPED:
            skipped[row["reason"]] = skipped.get(row["reason"], 0) + row["recipients"]
        elif row["status"] == Message.Status.FAILED:
            failed[row["reason"]] = failed.get(row["reason"], 0) + row["recipients"]
    # Contacts left out without a message row (if any) are only in the send's tally.
    for reason, count in (send.excluded or {}).items():
        if isinstance(count, int) and count > skipped.get(reason, 0):
            report.totals.skipped += count - skipped.get(reason, 0)
            skipped[reason] = count
    report.skipped_by_reason = _by_reason(skipped)
    report.failed_by_reason = _by_reason(failed)
    if len(per_variant) > 1 or len(send.variants or []) > 1:
        subjects = _variant_subjects(campaign, send)
        report.variants = [
            VariantNumbers(position, subjects.get(position, ""), numbers,
                           is_winner=campaign.winner_variant == position)
            for position, numbers in sorted(per_variant.items())]
    return report


def _by_reason(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return sorted(((reason, reason_label(reason), count) for reason, count in counts.items()
                   if count), key=lambda item: (-item[2], item[0]))


# --- the spine: opens and clicks over time, clicks per link ------------------------------

def send_events(send: Send, kinds: list[str]) -> QuerySet:
    """The send's email events (their subject is the send: the subject index answers)."""
    return Event.objects.filter(subject_type=ContentType.objects.get_for_model(Send),
                                subject_id=send.pk, kind__in=kinds)


@dataclass
class Bucket:
    start: datetime
    hourly: bool
    opens: int = 0
    clicks: int = 0


def activity_over_time(send: Send | None) -> list[Bucket]:
    """Human opens and clicks per hour for the first 48 hours after the send started, then
    per day (days begin at midnight in the current time zone). Two grouped queries over the
    send's events: the hours, and the days after them."""
    if send is None:
        return []
    cutoff = (send.started_at or send.created_at) + HOURLY_FOR
    events = send_events(send, ["email.opened", "email.clicked"])
    buckets: list[Bucket] = []
    for hourly, period, trunc in ((True, Q(occurred_at__lt=cutoff), TruncHour),
                                  (False, Q(occurred_at__gte=cutoff), TruncDay)):
        rows = (events.filter(period).annotate(bucket=trunc("occurred_at"))
                .values("bucket", "kind").annotate(total=Count("id")).order_by("bucket"))
        by_start: dict[datetime, Bucket] = {}
        for row in rows:
            bucket = by_start.setdefault(row["bucket"], Bucket(row["bucket"], hourly=hourly))
            if row["kind"] == "email.opened":
                bucket.opens += row["total"]
            else:
                bucket.clicks += row["total"]
        buckets += by_start.values()
    return fill_gaps(buckets)


def fill_gaps(buckets: list[Bucket]) -> list[Bucket]:
    """The hours and days without gaps (quiet ones count as zero), so the chart's x axis is
    time. Days step by calendar date in the current time zone (a day may have 23 or 25
    hours)."""
    hourly = {b.start: b for b in buckets if b.hourly}
    daily = {timezone.localtime(b.start).date(): b for b in buckets if not b.hourly}
    filled = []
    if hourly:
        moment, last = min(hourly), max(hourly)
        while moment <= last:
            filled.append(hourly.get(moment) or Bucket(moment, hourly=True))
            moment += timedelta(hours=1)
    if daily:
        day, last_day = min(daily), max(daily)
        while day <= last_day:
            filled.append(daily.get(day) or Bucket(
                timezone.make_aware(datetime.combine(day, time.min)), hourly=False))
            day += timedelta(days=1)
    return filled


@dataclass
class LinkClicks:
    url: str
    clicks: int
    unique: int
    share: float  # of the most clicked link's clicks, 0–100, for the heat bar


def clicks_per_link(send: Send | None, limit: int = LINK_LIMIT) -> list[LinkClicks]:
    """Human clicks per link of the email, most clicked first: total and by distinct
    contacts. One grouped query over the send's click events."""
    if send is None:
        return []
    rows = list(send_events(send, ["email.clicked"])
                .annotate(link_url=Coalesce(KT("data__url"), Value(""), output_field=TextField()))
                .values("link_url")
                .annotate(total=Count("id"), unique=Count("contact_id", distinct=True))
                .order_by("-total", "link_url")[:limit])
    top = rows[0]["total"] if rows else 0
    return [LinkClicks(row["link_url"], row["total"], row["unique"],
                       round(100 * row["total"] / top, 1) if top else 0) for row in rows]


# --- the contacts behind a number --------------------------------------------------------

def metric_messages(send: Send, metric: str, *, variant: int | None = None,
                    reason: str | None = None) -> QuerySet:
    """The send's messages counted by `metric` (optionally of one variant / one reason)."""
    messages = Message.objects.filter(send=send).filter(METRICS[metric])
    if variant is not None:
        messages = messages.filter(variant=variant)
    if reason is not None:
        messages = messages.filter(reason=reason)
    return messages


def visible_metric_messages(user, send: Send, metric: str, **narrowing) -> QuerySet:
    """`metric_messages` restricted to the contacts the user may see (messages of deleted
    contacts still count in the numbers but have no one to list)."""
    from clarion.core.permissions import is_guest, record_scope, visible_to
    from clarion.crm.models import Contact

    messages = metric_messages(send, metric, **narrowing).filter(contact__isnull=False)
    if not is_guest(user) and record_scope(user, "contacts", "view") == "all":
        return messages  # no need to ask the database about every contact
    return messages.filter(contact_id__in=visible_to(user, Contact.objects.all()).values("pk"))
