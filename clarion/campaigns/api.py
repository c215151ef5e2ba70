"""The campaigns API: campaigns and their A/B variants, the recipient estimate and launch
checklist, launching (now or on the campaign's schedule), pause, resume, cancel and live
progress.

Reading needs the `marketing:read` scope, changing `marketing:write`; both stand on the
`marketing.manage` capability of the key's user. Writes go through
`clarion.campaigns.services`, like the web pages.
"""

from datetime import datetime, timedelta
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination
from clarion.campaigns import queries, report_api, services
from clarion.campaigns.forms import is_known_zone
from clarion.campaigns.models import Campaign
from clarion.crm.api_schemas import Id, Input
from clarion.emails.models import Email
from clarion.segments.models import Segment
from clarion.sending.models import SenderIdentity
from clarion.subscriptions.models import SubscriptionType

READ, WRITE = "marketing:read", "marketing:write"

router = Router(tags=["campaigns"], auth=scope_required(READ))


class Refused(APIError):
    status, code = 409, "campaign_state"


class VariantOut(Schema):
    position: int
    subject: str
    email_id: int | None


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    email_id: int | None
    sender_id: int | None
    subscription_type_id: int | None
    include_segment_ids: list[int]
    exclude_segment_ids: list[int]
    schedule: str
    scheduled_for: datetime | None
    fallback_time_zone: str
    launch_at: datetime | None
    track_opens: bool
    track_clicks: bool
    ab_test: str
    test_percent: int
    winner_metric: str
    winner_wait_hours: float | None
    winner_variant: int | None
    winner_decided_at: datetime | None
    winner_result: dict
    variants: list[VariantOut]
    send_id: int | None
    recipient_count: int | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime
    launched_at: datetime | None
    sent_at: datetime | None
    version: int


class CampaignPage(Schema):
    results: list[CampaignOut]
    next: str | None = None


class VariantIn(Input):
    subject: str = Field("", max_length=255)
    email_id: Id | None = None


class CampaignFields(Input):
    email_id: Id | None = None
    sender_id: Id | None = None
    subscription_type_id: Id | None = None
    include_segment_ids: list[Id] | None = Field(None, max_length=200)
    exclude_segment_ids: list[Id] | None = Field(None, max_length=200)
    schedule: Literal["now", "at", "recipient_time"] | None = None
    scheduled_for: datetime | None = Field(
        None, description="`at`: the moment (with its offset). `recipient_time`: the date and "
        "wall-clock time read in each recipient's time zone (any offset is ignored).")
    fallback_time_zone: str | None = Field(None, max_length=64)
    track_opens: bool | None = None
    track_clicks: bool | None = None
    ab_test: Literal["none", "subject", "content"] | None = None
    test_percent: int | None = Field(None, ge=10, le=100)
    winner_metric: Literal["opens", "clicks"] | None = None
    winner_wait_hours: float | None = Field(None, gt=0, le=24 * 7)
    variants: list[VariantIn] | None = Field(None, max_length=queries.MAX_VARIANTS)


class CampaignIn(CampaignFields):
    name: str = Field(..., min_length=1, max_length=200)


class CampaignPatch(CampaignFields):
    name: str | None = Field(None, min_length=1, max_length=200)
    version: int | None = Field(None, description="The version you edited; a 409 answers "
                                "when someone saved since.")


class ProblemOut(Schema):
    code: str
    message: str


class EstimateOut(Schema):
    total: int
    eligible: int
    excluded: dict[str, int]
    left_out_by_segments: int
    problems: list[ProblemOut]


class ProgressOut(Schema):
    status: str
    queued: int
    held: int
    sending: int
    deferred: int
    sent: int
    failed: int
    skipped: int
    cancelled: int
    total: int
    done: int
    percent: int


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


def _campaigns():
    return Campaign.objects.select_related("send").prefetch_related(
        "include_segments", "exclude_segments", "variants")


def _get(campaign_id: int) -> Campaign:
    campaign = _campaigns().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("No campaign with id %(id)s.") % {"id": campaign_id})
    return campaign


def _out(campaign: Campaign) -> dict:
    wait = campaign.winner_wait
    return {
        **{name: getattr(campaign, name) for name in (
            "id", "name", "status", "email_id", "sender_id", "subscription_type_id",
            "schedule", "scheduled_for", "fallback_time_zone", "launch_at", "track_opens",
            "track_clicks", "ab_test", "test_percent", "winner_metric", "winner_variant",
            "winner_decided_at", "winner_result", "send_id", "owner_id", "created_at",
            "updated_at", "launched_at", "sent_at", "version")},
        "include_segment_ids": [s.pk for s in campaign.include_segments.all()],
        "exclude_segment_ids": [s.pk for s in campaign.exclude_segments.all()],
        "winner_wait_hours": wait.total_seconds() / 3600 if wait else None,
        "variants": [{"position": v.position, "subject": v.subject, "email_id": v.email_id}
                     for v in campaign.variants.all()],
        "recipient_count": campaign.send.recipient_count if campaign.send_id else None,
    }


def _found(model, pk: int | None, field: str):
    if pk is None:
        return None
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise ValidationError({f"body.{field}": [_("No such item: %(id)s.") % {"id": pk}]})
    return row


def _segments(ids: list[int], field: str) -> list[Segment]:
    found = list(Segment.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        missing = sorted(set(ids) - {s.pk for s in found})
        raise ValidationError({f"body.{field}": [_("No segment with id %(id)s.")
                                                 % {"id": missing[0]}]})
    return found


def _changes(body: CampaignFields) -> dict:
    """The body's set fields as services arguments, every id checked."""
    given = body.model_dump(exclude_unset=True)
    changes: dict = {}
    lookups = {"email_id": (Email, "email"), "sender_id": (SenderIdentity, "sender"),
               "subscription_type_id": (SubscriptionType, "subscription_type")}
    for key, (model, name) in lookups.items():
        if key in given:
            changes[name] = _found(model, given[key], key)
    for key in ("include_segment_ids", "exclude_segment_ids"):
        if given.get(key) is not None:
            changes[key.replace("_ids", "s")] = _segments(given[key], key)
    for key in ("name", "schedule", "track_opens", "track_clicks", "ab_test", "test_percent",
                "winner_metric"):
        if given.get(key) is not None:
            changes[key] = given[key]
    if "fallback_time_zone" in given:
        zone = (given["fallback_time_zone"] or "").strip()
        if zone and not is_known_zone(zone):
            raise ValidationError({"body.fallback_time_zone": [
                _("“%(zone)s” is not a time zone name such as Europe/Paris.") % {"zone": zone}]})
        changes["fallback_time_zone"] = zone
    if "scheduled_for" in given:
        changes["scheduled_for"] = _moment(given["scheduled_for"], given.get("schedule"))
    if "winner_wait_hours" in given:
        hours = given["winner_wait_hours"]
        changes["winner_wait"] = timedelta(hours=hours) if hours else None
    if body.variants is not None:
        changes["variants"] = [{"subject": v.subject, "email": _found(
            Email, v.email_id, f"variants.{n}.email_id")} for n, v in enumerate(body.variants)]
    return changes


def _moment(value: datetime | None, schedule: str | None):
    from datetime import UTC

    if value is None:
        return None
    if schedule == Campaign.Schedule.RECIPIENT_TIME:
        return value.replace(tzinfo=UTC)  # the bare wall clock
    if value.tzinfo is None:
        raise ValidationError({"body.scheduled_for": [
            _("Give the time with its offset, such as 2030-06-01T09:00:00+02:00.")]})
    return value


def _refused(error: services.CampaignError) -> Refused:
    return Refused(error.message, [{"code": p.code, "message": p.message}
                                   for p in error.problems])


@router.get("", response=CampaignPage, **_named("list_campaigns"),
            summary="List campaigns, newest first")
def list_campaigns(request, pagination: Query[CursorPagination.Input],
                   status: Literal["draft", "scheduled", "sending", "testing", "paused",
                                   "cancelled", "sent"] | None = None):
    rows = _campaigns()
    if status:
        rows = rows.filter(status=status)
    page = CursorPagination(order_by="-id").paginate_queryset(rows, pagination, request)
    return {"results": [_out(c) for c in page["results"]], "next": page["next"]}


def _create(request, payload: CampaignIn) -> tuple[int, dict]:
    changes = _changes(payload)
    name = changes.pop("name")
    try:
        campaign = services.create_campaign(actor=request.user, name=name, **changes)
    except services.CampaignError as error:
        raise _refused(error) from None
    return 201, CampaignOut.model_validate(_out(_get(campaign.pk))).model_dump(mode="json")


@router.post("", response={201: CampaignOut}, auth=scope_required(WRITE),
             **_named("create_campaign"), summary="Create a draft campaign")
def create(request, payload: CampaignIn):
    return Status(*run_once(request, lambda: _create(request, payload)))


@router.get("/{int:campaign_id}", response=CampaignOut, **_named("get_campaign"),
            summary="Get a campaign")
def read_one(request, campaign_id: Id):
    return _out(_get(campaign_id))


@router.patch("/{int:campaign_id}", response=CampaignOut, auth=scope_required(WRITE),
              **_named("update_campaign"), summary="Change a draft campaign")
def update(request, campaign_id: Id, payload: CampaignPatch):
    campaign = _get(campaign_id)
    changes = _changes(payload)
    try:
        services.update_campaign(campaign, actor=request.user,
                                 expected_version=payload.version, **changes)
    except services.CampaignError as error:
        raise _refused(error) from None
    return _out(_get(campaign_id))


@router.put("/{int:campaign_id}/variants", response=CampaignOut, auth=scope_required(WRITE),
            **_named("set_campaign_variants"), summary="Replace a draft's A/B variants")
def set_variants(request, campaign_id: Id, variants: list[VariantIn]):
    campaign = _get(campaign_id)
    rows = [{"subject": v.subject, "email": _found(Email, v.email_id, f"{n}.email_id")}
            for n, v in enumerate(variants)]
    try:
        services.set_variants(campaign, rows, actor=request.user)
    except services.CampaignError as error:
        raise _refused(error) from None
    return _out(_get(campaign_id))


@router.delete("/{int:campaign_id}", response={204: None}, auth=scope_required(WRITE),
               **_named("delete_campaign"), summary="Delete a draft or cancelled campaign")
def delete(request, campaign_id: Id):
    try:
        services.delete_campaign(_get(campaign_id), actor=request.user)
    except services.CampaignError as error:
        raise _refused(error) from None
    return Status(204, None)


@router.get("/{int:campaign_id}/estimate", response=EstimateOut,
            **_named("estimate_campaign"),
            summary="Who it would go to now, who is left out and why, and what blocks it")
def estimate(request, campaign_id: Id):
    campaign = _get(campaign_id)
    found = queries.campaign_estimate(campaign)
    problems = (queries.launch_problems(campaign, recipient_estimate=found)
                if campaign.is_editable else [])
    return {"total": found.total, "eligible": found.eligible, "excluded": found.excluded,
            "left_out_by_segments": found.left_out_by_segments,
            "problems": [{"code": p.code, "message": p.message} for p in problems]}


def _action(request, campaign_id: int, action) -> dict:
    try:
        action(_get(campaign_id), actor=request.user)
    except services.CampaignError as error:
        raise _refused(error) from None
    return _out(_get(campaign_id))


@router.post("/{int:campaign_id}/launch", response=CampaignOut, auth=scope_required(WRITE),
             **_named("launch_campaign"),
             summary="Send now, or schedule as the campaign's schedule says")
def launch(request, campaign_id: Id):
    return _action(request, campaign_id, services.launch)


@router.post("/{int:campaign_id}/unschedule", response=CampaignOut,
             auth=scope_required(WRITE), **_named("unschedule_campaign"),
             summary="Take a scheduled campaign back to a draft")
def unschedule(request, campaign_id: Id):
    return _action(request, campaign_id, services.unschedule)


@router.post("/{int:campaign_id}/pause", response=CampaignOut, auth=scope_required(WRITE),
             **_named("pause_campaign"), summary="Pause a sending campaign")
def pause(request, campaign_id: Id):
    return _action(request, campaign_id, services.pause)


@router.post("/{int:campaign_id}/resume", response=CampaignOut, auth=scope_required(WRITE),
             **_named("resume_campaign"), summary="Resume a paused campaign")
def resume(request, campaign_id: Id):
    return _action(request, campaign_id, services.resume)


@router.post("/{int:campaign_id}/cancel", response=CampaignOut, auth=scope_required(WRITE),
             **_named("cancel_campaign"), summary="Cancel a scheduled or sending campaign")
def cancel(request, campaign_id: Id):
    return _action(request, campaign_id, services.cancel)


@router.get("/{int:campaign_id}/progress", response=ProgressOut,
            **_named("campaign_progress"), summary="Messages by status, for live progress")
def progress(request, campaign_id: Id):
    campaign = _get(campaign_id)
    return {"status": campaign.status, **queries.progress(campaign)}


# The report endpoints sit under /campaigns too.
routers = [("/campaigns", router), ("/campaigns", report_api.router)]
