"""Every write to campaigns. Each function is one transaction that changes state and emits
the events describing it (subject = the campaign, no contact):

    create_campaign(actor=…, name=…, **fields)          -> campaign   campaign.created
    update_campaign(campaign, actor=…, **changes)       -> campaign   campaign.updated
    set_variants(campaign, variants, actor=…)           -> campaign   campaign.updated
    launch(campaign, actor=…)  send now, or schedule    -> campaign   campaign.launched /
                                                                      campaign.scheduled
    unschedule(campaign, actor=…)  back to a draft      -> campaign   campaign.unscheduled
    launch_due()  the scheduler's launches              -> launched   campaign.launched
    pause / resume / cancel(campaign, actor=…)          -> campaign   campaign.paused / …
    decide_winner(campaign) / decide_due_winners()                    campaign.winner_picked
    finish_sent()  sending → sent once nothing is left to go           campaign.sent

Status rules: a DRAFT is the only thing anyone edits. Launching moves it to SCHEDULED (a
later time), SENDING, or TESTING (an A/B test on part of the list, the rest held for the
winner). TESTING → SENDING when the winner is picked; SENDING → SENT when no message is left
to go. SENDING/TESTING ⇄ PAUSED; SCHEDULED/SENDING/TESTING/PAUSED → CANCELLED. Every move is a
conditional UPDATE on the status it starts from, so two clicks, two schedulers or two workers
never make the same move twice.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.campaigns import queries
from clarion.campaigns.models import Campaign, CampaignVariant
from clarion.campaigns.stats import compare
from clarion.core.events import emit

Status = Campaign.Status
EDITABLE = ("name", "email", "sender", "subscription_type", "schedule", "scheduled_for",
            "fallback_time_zone", "track_opens", "track_clicks", "ab_test", "test_percent",
            "winner_metric", "winner_wait", "include_segments", "exclude_segments")
# The earliest time zone (UTC+14): a campaign "at 9:00 in each recipient's time zone"
# launches when 9:00 first arrives anywhere, and each message waits for its own 9:00.
EARLIEST_OFFSET = timedelta(hours=14)


class CampaignError(Exception):
    """A change the campaign's state does not allow, with a message for the person."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StaleCampaign(CampaignError):
    """Someone else saved the campaign since this edit began."""


def _event(kind: str, campaign: Campaign, actor=None, **data) -> None:
    emit(kind, subject=campaign, actor=actor,
         data={"campaign_id": campaign.pk, "name": campaign.name, **data})


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


# --- drafts ------------------------------------------------------------------------------------

def default_fields() -> dict:
    """What a new campaign starts with: the default sender and subscription type."""
    from clarion.sending.models import SenderIdentity
    from clarion.subscriptions.models import SubscriptionType

    sender = (SenderIdentity.objects.order_by("-is_default", "id").first())
    kind = (SubscriptionType.objects.filter(archived=False)
            .order_by("-is_default", "position", "id").first())
    return {"sender": sender, "subscription_type": kind}


@transaction.atomic
def create_campaign(*, actor, name: str, **fields) -> Campaign:
    """A new draft; unset sender and subscription type take the defaults."""
    include = fields.pop("include_segments", [])
    exclude = fields.pop("exclude_segments", [])
    variants = fields.pop("variants", None)
    _reject_unknown(fields)
    values = {**default_fields(), **fields}
    campaign = Campaign.objects.create(name=name, owner=actor if _is_user(actor) else None,
                                       **values)
    campaign.include_segments.set(include)
    campaign.exclude_segments.set(exclude)
    if variants is not None:
        _write_variants(campaign, variants)
    _event("campaign.created", campaign, actor)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, actor, expected_version: int | None = None,
                    **changes) -> Campaign:
    """Change a draft. Refused once launched (the send is frozen), and when
    `expected_version` is given but someone saved in between."""
    campaign = _locked(campaign)
    _require_draft(campaign)
    if expected_version is not None and expected_version != campaign.version:
        raise StaleCampaign(_("Someone else changed this campaign while you were editing it. "
                              "Reload to see their changes."))
    include = changes.pop("include_segments", None)
    exclude = changes.pop("exclude_segments", None)
    variants = changes.pop("variants", None)
    _reject_unknown(changes)
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.version += 1
    campaign.updated_at = timezone.now()
    campaign.save()
    if include is not None:
        campaign.include_segments.set(include)
    if exclude is not None:
        campaign.exclude_segments.set(exclude)
    if variants is not None:
        _write_variants(campaign, variants)
    _event("campaign.updated", campaign, actor,
           fields=sorted({*changes, *(["include_segments"] if include is not None else []),
                          *(["exclude_segments"] if exclude is not None else []),
                          *(["variants"] if variants is not None else [])}))
    return campaign


@transaction.atomic
def set_variants(campaign: Campaign, variants: list[dict], *, actor) -> Campaign:
    """Replace the A/B variants: a list of {"subject": …, "email": Email | None}."""
    campaign = _locked(campaign)
    _require_draft(campaign)
    _write_variants(campaign, variants)
    Campaign.objects.filter(pk=campaign.pk).update(version=campaign.version + 1,
                                                   updated_at=timezone.now())
    campaign.refresh_from_db()
    _event("campaign.updated", campaign, actor, fields=["variants"])
    return campaign


def _write_variants(campaign: Campaign, variants: list[dict]) -> None:
    if len(variants) > queries.MAX_VARIANTS:
        raise CampaignError(_("An A/B test has at most four variants."))
    campaign.variants.all().delete()
    CampaignVariant.objects.bulk_create([
        CampaignVariant(campaign=campaign, position=position,
                        subject=(variant.get("subject") or "").strip(),
                        email=variant.get("email"))
        for position, variant in enumerate(variants)])
    if hasattr(campaign, "_prefetched_objects_cache"):
        campaign._prefetched_objects_cache.pop("variants", None)


@transaction.atomic
def delete_campaign(campaign: Campaign, *, actor) -> None:
    campaign = _locked(campaign)
    if campaign.status not in (Status.DRAFT, Status.CANCELLED):
        raise CampaignError(_("Only drafts and cancelled campaigns can be deleted; a sent "
                              "campaign is its report."))
    _event("campaign.deleted", campaign, actor)
    campaign.delete()


def _require_draft(campaign: Campaign) -> None:
    if campaign.status != Status.DRAFT:
        raise CampaignError(_("This campaign can no longer be changed: it is %(status)s.")
                            % {"status": campaign.get_status_display().lower()})


def _reject_unknown(changes: dict) -> None:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")


def _is_user(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False))


# --- launching -------------------------------------------------------------------------------

def launch_moment(campaign: Campaign) -> datetime | None:
    """When the scheduler should launch it (None: now)."""
    if campaign.schedule == Campaign.Schedule.AT:
        return campaign.scheduled_for
    if campaign.schedule == Campaign.Schedule.RECIPIENT_TIME:
        return wall_clock(campaign).replace(tzinfo=UTC) - EARLIEST_OFFSET
    return None


def wall_clock(campaign: Campaign) -> datetime:
    """The naive local date and time of a RECIPIENT_TIME campaign (stored as that wall clock
    in UTC, because it belongs to no zone of its own)."""
    return campaign.scheduled_for.astimezone(UTC).replace(tzinfo=None)


@transaction.atomic
def launch(campaign: Campaign, *, actor) -> Campaign:
    """The marketer's "Send": now, or scheduled for later. Refused (CampaignError with the
    checklist's problems) when anything blocks it, and when it was launched already."""
    campaign = _locked(campaign)
    _require_draft(campaign)
    problems = queries.launch_problems(campaign)
    if problems:
        raise CampaignError(_("The campaign cannot be sent yet."), problems)
    moment = launch_moment(campaign)
    if moment is None:
        return _launch_now(campaign, actor)
    campaign.status, campaign.launch_at = Status.SCHEDULED, moment
    campaign.save(update_fields=["status", "launch_at"])
    _event("campaign.scheduled", campaign, actor, launch_at=moment.isoformat(),
           schedule=campaign.schedule)
    return campaign


@transaction.atomic
def unschedule(campaign: Campaign, *, actor) -> Campaign:
    """A scheduled campaign back to a draft, to change it (or send it now)."""
    claimed = Campaign.objects.filter(pk=campaign.pk, status=Status.SCHEDULED).update(
        status=Status.DRAFT, launch_at=None)
    if not claimed:
        raise CampaignError(_("Only a scheduled campaign can be unscheduled."))
    campaign.refresh_from_db()
    _event("campaign.unscheduled", campaign, actor)
    return campaign


def launch_due(now: datetime | None = None) -> int:
    """Launch every scheduled campaign whose time has come. Each is claimed with a
    conditional UPDATE (SCHEDULED → SENDING) in its own transaction, so two schedulers
    running at once launch it once. A campaign that can no longer launch (its email was
    deleted, say) goes back to draft with an event saying why."""
    launched = 0
    for pk in list(queries.due_for_launch(now).values_list("pk", flat=True)):
        launched += launch_scheduled(pk, now=now)
    return launched


@transaction.atomic
def launch_scheduled(pk: int, *, now: datetime | None = None) -> int:
    claimed = Campaign.objects.filter(pk=pk, status=Status.SCHEDULED,
                                      launch_at__lte=now or timezone.now()).update(
        status=Status.SENDING)
    if not claimed:
        return 0
    campaign = Campaign.objects.get(pk=pk)
    problems = queries.launch_problems(campaign)
    if campaign.schedule == Campaign.Schedule.AT:
        # Its time has come, which is what "the time has passed" would say.
        problems = [p for p in problems if p.code != "past_time"]
    if problems:
        Campaign.objects.filter(pk=pk).update(status=Status.DRAFT, launch_at=None)
        _event("campaign.launch_failed", campaign, None,
               problems=[p.message for p in problems])
        return 0
    _launch_now(campaign, None)
    return 1


def _launch_now(campaign: Campaign, actor) -> Campaign:
    """Compile, create the send, resolve its recipients; inside the caller's transaction."""
    from clarion.sending import services as sending

    try:
        return _create_and_resolve(campaign, actor, sending)
    except sending.SendError as error:
        raise CampaignError(str(error)) from None


def _create_and_resolve(campaign: Campaign, actor, sending) -> Campaign:
    send = sending.create_send(
        name=campaign.name, kind="campaign", sender=campaign.sender,
        subscription_type=campaign.subscription_type,
        variants=queries.compile_variants(campaign), track_opens=campaign.track_opens,
        track_clicks=campaign.track_clicks, created_by=actor if _is_user(actor) else None)
    sending.resolve_recipients(send, queries.campaign_recipients(campaign),
                               **_resolve_options(campaign))
    send.refresh_from_db()
    testing = campaign.is_ab and campaign.test_percent < 100
    campaign.send = send
    campaign.status = Status.TESTING if testing else Status.SENDING
    campaign.launched_at = timezone.now()
    campaign.save(update_fields=["send", "status", "launched_at"])
    _event("campaign.launched", campaign, actor, send_id=send.pk,
           recipients=send.recipient_count, excluded=send.excluded,
           ab_test=campaign.ab_test, test_percent=campaign.test_percent if campaign.is_ab
           else None)
    return campaign


def _resolve_options(campaign: Campaign) -> dict:
    options: dict = {}
    if campaign.schedule == Campaign.Schedule.RECIPIENT_TIME:
        options["local_time"] = wall_clock(campaign)
        options["fallback_time_zone"] = campaign.fallback_time_zone or "UTC"
    elif campaign.schedule == Campaign.Schedule.AT:
        options["due_at"] = campaign.scheduled_for
    if campaign.is_ab:
        options["ab"] = (campaign.test_percent, len(queries.variants_of(campaign)))
    return options


# --- while it sends ----------------------------------------------------------------------------

@transaction.atomic
def pause(campaign: Campaign, *, actor) -> Campaign:
    """Stop handing its messages to workers; those already with the SMTP server finish."""
    from clarion.sending import services as sending

    campaign = _move(campaign, (Status.SENDING, Status.TESTING), Status.PAUSED,
                     _("Only a campaign that is sending can be paused."))
    campaign.send = sending.pause(campaign.send)
    _event("campaign.paused", campaign, actor)
    return campaign


@transaction.atomic
def resume(campaign: Campaign, *, actor) -> Campaign:
    from clarion.sending import services as sending

    testing = (campaign.is_ab and campaign.test_percent < 100
               and campaign.winner_decided_at is None)
    campaign = _move(campaign, (Status.PAUSED,), Status.TESTING if testing else Status.SENDING,
                     _("Only a paused campaign can be resumed."))
    campaign.send = sending.resume(campaign.send)
    _event("campaign.resumed", campaign, actor)
    return campaign


@transaction.atomic
def cancel(campaign: Campaign, *, actor) -> Campaign:
    """Nothing more goes out: a scheduled campaign never launches; a sending one's waiting
    and held messages are cancelled (what was sent stays in the report)."""
    from clarion.sending import services as sending

    campaign = _move(campaign, (Status.SCHEDULED, Status.SENDING, Status.TESTING, Status.PAUSED),
                     Status.CANCELLED, _("This campaign cannot be cancelled: it is %(status)s.")
                     % {"status": campaign.get_status_display().lower()})
    if campaign.send_id:
        campaign.send = sending.cancel(campaign.send)
    _event("campaign.cancelled", campaign, actor)
    return campaign


def _move(campaign: Campaign, sources: tuple, target: str, refusal: str) -> Campaign:
    claimed = Campaign.objects.filter(pk=campaign.pk, status__in=sources).update(status=target)
    if not claimed:
        raise CampaignError(refusal)
    campaign.refresh_from_db()
    return campaign


# --- the A/B winner and the end ------------------------------------------------------------------

def winner_due_at(campaign: Campaign) -> datetime | None:
    if campaign.launched_at is None or campaign.winner_wait is None:
        return None
    return campaign.launched_at + campaign.winner_wait


def decide_due_winners(now: datetime | None = None) -> int:
    """Pick the winner of every A/B test whose wait has passed."""
    now = now or timezone.now()
    candidates = Campaign.objects.filter(status=Status.TESTING, winner_decided_at__isnull=True,
                                         launched_at__isnull=False)
    decided = 0
    for campaign in candidates:
        due = winner_due_at(campaign)
        if due is not None and due <= now:
            decided += decide_winner(campaign, now=now)
    return decided


@transaction.atomic
def decide_winner(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Test the variants' outcomes, record the winner and release the held recipients with
    it. Idempotent: claimed by a conditional UPDATE on `winner_decided_at`, so it happens
    once however many times (or from however many workers) it is called."""
    from clarion.sending import services as sending

    now = now or timezone.now()
    claimed = Campaign.objects.filter(pk=campaign.pk, status=Status.TESTING,
                                      winner_decided_at__isnull=True).update(
        winner_decided_at=now, status=Status.SENDING)
    if not claimed:
        return 0
    campaign = Campaign.objects.prefetch_related("variants").get(pk=campaign.pk)
    result = compare(queries.variant_outcomes(campaign))
    campaign.winner_variant = result.winner
    campaign.winner_result = dict(result.as_dict(), metric=campaign.winner_metric)
    campaign.save(update_fields=["winner_variant", "winner_result"])
    sending.release_held(campaign.send, result.winner)
    _event("campaign.winner_picked", campaign, None, variant=result.winner,
           p_value=result.p_value, significant=result.significant,
           metric=campaign.winner_metric)
    return 1


def finish_sent() -> int:
    """SENDING → SENT for every campaign with nothing left to go."""
    finished = 0
    for pk in list(queries.finished_sending().values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Campaign.objects.filter(pk=pk, status=Status.SENDING).update(
                status=Status.SENT, sent_at=timezone.now())
            if claimed:
                campaign = Campaign.objects.select_related("send").get(pk=pk)
                _event("campaign.sent", campaign, None, send_id=campaign.send_id,
                       recipients=campaign.send.recipient_count)
                finished += 1
    return finished
