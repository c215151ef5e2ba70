"""Reads of campaigns: the list with its rates, who a campaign would go to (the recipient
estimate), what blocks a launch (the checklist), the A/B outcomes and live progress.

Recipients are resolved set-based from stored segment membership (a dynamic segment's
`SegmentMembership` rows are kept current by clarion/segments), never from a Python loop."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.campaigns.models import Campaign, CampaignVariant
from clarion.campaigns.stats import VariantOutcome
from clarion.core.permissions import has_capability
from clarion.crm.models import Contact
from clarion.segments.models import Segment, SegmentMembership

CAPABILITY = "marketing.manage"
MAX_SEARCH = 100
MIN_VARIANTS, MAX_VARIANTS = 2, 4
PENDING_STATUSES = ("queued", "deferred", "sending", "held")


def can_manage_campaigns(user) -> bool:
    return has_capability(user, CAPABILITY)


# --- the list ---------------------------------------------------------------------------------

def campaign_list(*, status: str = "", search: str = "") -> QuerySet[Campaign]:
    """Campaigns newest first, each annotated with its message aggregates — `delivered_count`
    (sent and not bounced, the reports' denominator), `opened_count` (human opens: `opened_at`
    is only set by them), `clicked_count` — in ONE grouped query, however many are listed."""
    rows = Campaign.objects.select_related("email", "owner", "send")
    if status in Campaign.Status.values:
        rows = rows.filter(status=status)
    search = " ".join(search.split())[:MAX_SEARCH]
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(email__subject__icontains=search)
                           | Q(email__name__icontains=search))
    delivered = Q(send__messages__status="sent", send__messages__bounced_at__isnull=True)
    return rows.annotate(
        delivered_count=Count("send__messages", filter=delivered),
        opened_count=Count("send__messages", filter=delivered & Q(
            send__messages__opened_at__isnull=False)),
        clicked_count=Count("send__messages", filter=delivered & Q(
            send__messages__clicked_at__isnull=False)),
    )


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- recipients -------------------------------------------------------------------------------

def recipients(include_ids, exclude_ids) -> QuerySet[Contact]:
    """The distinct contacts in any of the include segments and in none of the exclude
    segments: two membership subqueries, so a contact in three chosen segments is one row."""
    members = SegmentMembership.objects.filter(segment_id__in=list(include_ids))
    contacts = Contact.objects.filter(pk__in=members.values("contact_id"))
    exclude_ids = list(exclude_ids)
    if exclude_ids:
        left_out = SegmentMembership.objects.filter(segment_id__in=exclude_ids,
                                                    contact_id=OuterRef("pk"))
        contacts = contacts.exclude(Exists(left_out))
    return contacts


def campaign_recipients(campaign: Campaign) -> QuerySet[Contact]:
    return recipients(campaign.include_segments.values_list("pk", flat=True),
                      campaign.exclude_segments.values_list("pk", flat=True))


@dataclass
class Estimate:
    total: int = 0  # distinct contacts matched by the segments
    eligible: int = 0  # of them, who may receive it
    excluded: dict[str, int] = field(default_factory=dict)  # left out, by reason
    left_out_by_segments: int = 0  # in an include segment but also in an exclude one

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def estimate(include_ids, exclude_ids, subscription_type) -> Estimate:
    """How many distinct contacts the campaign would go to and how many are left out by
    reason (subscriptions.queries.annotate_exclusion): one grouped query, plus one count
    for the contacts the exclude segments take out."""
    from clarion.subscriptions.queries import annotate_exclusion

    include_ids, exclude_ids = list(include_ids), list(exclude_ids)
    result = Estimate()
    if not include_ids:
        return result
    contacts = annotate_exclusion(recipients(include_ids, exclude_ids), subscription_type)
    for reason, count in contacts.order_by().values_list("exclusion").annotate(n=Count("pk")):
        result.total += count
        if reason:
            result.excluded[reason] = count
        else:
            result.eligible = count
    if exclude_ids:
        everyone = recipients(include_ids, []).count()
        result.left_out_by_segments = everyone - result.total
    return result


def campaign_estimate(campaign: Campaign) -> Estimate:
    return estimate(campaign.include_segments.values_list("pk", flat=True),
                    campaign.exclude_segments.values_list("pk", flat=True),
                    campaign.subscription_type)


def segment_choices() -> QuerySet[Segment]:
    return Segment.objects.only("pk", "name", "kind", "member_count").order_by("name", "id")


# --- the checklist ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def variants_of(campaign: Campaign) -> list[CampaignVariant]:
    cached = getattr(campaign, "_prefetched_objects_cache", {}).get("variants")
    return list(cached) if cached is not None else list(campaign.variants.all())


def launch_problems(campaign: Campaign, *, compiled: list[dict] | None = None,
                    recipient_estimate: Estimate | None = None) -> list[Problem]:
    """Everything that stops this campaign from going out, each with a reason a marketer
    can act on. Empty means it may launch."""
    problems = _setup_problems(campaign)
    if recipient_estimate is None and campaign.include_segments.exists():
        recipient_estimate = campaign_estimate(campaign)
    if recipient_estimate is None or not recipient_estimate.total:
        problems.append(Problem("no_recipients", _("Choose at least one segment or list with "
                                                   "contacts in it to send to.")))
    elif not recipient_estimate.eligible:
        problems.append(Problem("no_recipients", _("None of the chosen contacts may receive "
                                                   "this email (see who is left out).")))
    elif _test_group_too_small(campaign, recipient_estimate.eligible):
        problems.append(Problem("test_group_too_small", _(
            "The test group would have fewer people than variants: raise the test group's "
            "share or split the whole send (100 %).")))
    if not any(p.code in ("no_email", "variant_email") for p in problems):
        problems += content_problems(campaign, compiled)
    return problems


def _test_group_too_small(campaign: Campaign, eligible: int) -> bool:
    if not campaign.is_ab or campaign.test_percent >= 100:
        return False
    return eligible * campaign.test_percent // 100 < max(len(variants_of(campaign)), 2)


def _setup_problems(campaign: Campaign) -> list[Problem]:
    problems = []
    variants = variants_of(campaign) if campaign.is_ab else []
    if campaign.ab_test != Campaign.ABTest.CONTENT and campaign.email_id is None:
        problems.append(Problem("no_email", _("Choose the email to send.")))
    if campaign.sender_id is None:
        problems.append(Problem("no_sender", _("Choose who the email is from (a sender "
                                               "identity).")))
    if campaign.subscription_type_id is None:
        problems.append(Problem("no_subscription_type", _("Choose the subscription type, so "
                                                          "people who unsubscribed from it "
                                                          "are left out.")))
    problems += _schedule_problems(campaign)
    if campaign.is_ab:
        problems += _ab_problems(campaign, variants)
    return problems


def _schedule_problems(campaign: Campaign) -> list[Problem]:
    if campaign.schedule == Campaign.Schedule.NOW:
        return []
    if campaign.scheduled_for is None:
        return [Problem("no_time", _("Choose when to send it."))]
    if campaign.schedule == Campaign.Schedule.AT and campaign.scheduled_for <= timezone.now():
        return [Problem("past_time", _("The scheduled time has passed; choose a later one or "
                                       "send it now."))]
    return []


def _ab_problems(campaign: Campaign, variants: list[CampaignVariant]) -> list[Problem]:
    problems = []
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        problems.append(Problem("variant_count", _("An A/B test needs two to four variants.")))
    if campaign.ab_test == Campaign.ABTest.SUBJECT and any(
            not v.subject.strip() for v in variants):
        problems.append(Problem("empty_subject", _("Every variant needs a subject line.")))
    if campaign.ab_test == Campaign.ABTest.CONTENT and any(v.email_id is None for v in variants):
        problems.append(Problem("variant_email", _("Choose an email for every variant.")))
    if not 10 <= campaign.test_percent <= 100:
        problems.append(Problem("test_percent", _("The test group is 10 to 100 % of the "
                                                  "recipients.")))
    if campaign.test_percent < 100 and not campaign.winner_wait:
        problems.append(Problem("no_wait", _("Choose how long to wait before picking the "
                                             "winner.")))
    return problems


def content_problems(campaign: Campaign, compiled: list[dict] | None = None) -> list[Problem]:
    """The emails' own problems: an empty subject, no footer with the unsubscribe link, and
    personalization tokens that name nothing."""
    from clarion.emails import blocks, personalize

    problems: list[Problem] = []
    for label, email in _emails_of(campaign):
        for message in _sending_problems(blocks, email):
            problems.append(Problem("not_sendable", f"{label}: {message}"))
    for label, variant in zip(variant_labels(campaign), compiled or compile_variants(campaign),
                              strict=False):
        if not (variant.get("subject") or "").strip():
            problems.append(Problem("empty_subject", _("%(variant)s has no subject line.")
                                    % {"variant": label}))
        try:
            unknown = personalize.unknown_tokens(variant)
        except personalize.TokenSyntaxError as error:
            problems.append(Problem("token_syntax", _(
                "%(variant)s has a personalization token that cannot be read: %(error)s")
                % {"variant": label, "error": error}))
            continue
        if unknown:
            problems.append(Problem("unknown_tokens", _(
                "%(variant)s uses tokens that name nothing: %(tokens)s") % {
                    "variant": label, "tokens": ", ".join(sorted(set(unknown)))}))
    return problems


def _sending_problems(blocks, email) -> list[str]:
    """What blocks.validate_for_sending says about the email, as messages."""
    try:
        blocks.validate_for_sending(email.document)
    except blocks.DocumentError as error:
        return [str(problem["message"]) for problem in error.problems]
    return []


def variant_labels(campaign: Campaign) -> list[str]:
    if not campaign.is_ab:
        return [_("The email")]
    return [_("Variant %(letter)s") % {"letter": letter(v.position)}
            for v in variants_of(campaign)]


def letter(position: int) -> str:
    return "ABCD"[position] if 0 <= position < 4 else str(position + 1)


def _emails_of(campaign: Campaign) -> list[tuple[str, object]]:
    if campaign.ab_test == Campaign.ABTest.CONTENT:
        return [(label, v.email) for label, v in zip(variant_labels(campaign),
                                                     variants_of(campaign), strict=True)
                if v.email is not None]
    return [(_("The email"), campaign.email)] if campaign.email is not None else []


def compile_variants(campaign: Campaign) -> list[dict]:
    """The send's variants: one compiled email, or one per A/B variant (subject variants
    share the email and override its subject; content variants compile their own email)."""
    from clarion.emails.rendering import compile_email

    if campaign.ab_test == Campaign.ABTest.CONTENT:
        return [compile_email(v.email, subject=v.subject.strip() or None)
                for v in variants_of(campaign)]
    if campaign.ab_test == Campaign.ABTest.SUBJECT:
        base = compile_email(campaign.email)
        return [dict(base, subject=v.subject.strip()) for v in variants_of(campaign)]
    return [compile_email(campaign.email)]


# --- A/B outcomes and progress ------------------------------------------------------------------

def variant_outcomes(campaign: Campaign) -> list[VariantOutcome]:
    """Per variant: the test messages sent and how many of their recipients opened (human
    opens; machine opens never set `opened_at`) or clicked (scanner clicks never set
    `clicked_at`). One grouped query."""
    from clarion.sending.models import Message

    success = ("opened_at" if campaign.winner_metric == Campaign.WinnerMetric.OPENS
               else "clicked_at")
    rows = (Message.objects.filter(send_id=campaign.send_id, status="sent")
            .order_by().values("variant")
            .annotate(recipients=Count("pk"),
                      successes=Count("pk", filter=Q(**{f"{success}__isnull": False}))))
    found = {row["variant"]: row for row in rows}
    positions = [v.position for v in variants_of(campaign)] or [0]
    return [VariantOutcome(position=p, recipients=found.get(p, {}).get("recipients", 0),
                           successes=found.get(p, {}).get("successes", 0)) for p in positions]


def progress(campaign: Campaign) -> dict[str, int]:
    """Messages by status (queued, held, sending, deferred, sent, failed, skipped,
    cancelled), all keys present, plus `total` and `done` (no longer waiting to go)."""
    from clarion.sending.models import Message

    counts = {status: 0 for status in Message.Status.values}
    if campaign.send_id:
        counts.update(Message.objects.filter(send_id=campaign.send_id).order_by()
                      .values_list("status").annotate(n=Count("pk")))
    total = sum(counts[s] for s in Message.Status.values)
    waiting = sum(counts[s] for s in PENDING_STATUSES)
    return {**counts, "total": total, "done": total - waiting,
            "percent": round(100 * (total - waiting) / total) if total else 0}


def due_for_launch(now=None) -> QuerySet[Campaign]:
    return Campaign.objects.filter(status=Campaign.Status.SCHEDULED,
                                   launch_at__lte=now or timezone.now())


def finished_sending() -> QuerySet[Campaign]:
    """Campaigns still marked sending whose send has no message left to go."""
    from clarion.sending.models import Message

    pending = Message.objects.filter(send_id=OuterRef("send_id"), status__in=PENDING_STATUSES)
    return Campaign.objects.filter(status=Campaign.Status.SENDING,
                                   send__isnull=False).exclude(Exists(pending))
