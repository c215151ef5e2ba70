"""The campaign pages: the list (the Email section's main page), a campaign's page — the
editor while it is a draft, its status and live progress once launched — the live recipient
estimate, and the launch, schedule, pause, resume and cancel actions.

Everything here takes the `marketing.manage` capability."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.campaigns import queries, services
from clarion.campaigns.forms import CampaignForm, NewCampaignForm, zone_names
from clarion.campaigns.models import Campaign
from clarion.core.permissions import capability_required
from clarion.tasks.schedule import request_zone

manage = capability_required(queries.CAPABILITY)
SECTION = "email"
POLL_SECONDS = 3


def _page(request, template: str, context: dict) -> HttpResponse:
    return render(request, template, {"current_section": SECTION, "email_nav": "campaigns",
                                      **context})


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related(
        "email", "sender", "subscription_type", "send", "owner").prefetch_related(
        "variants__email", "include_segments", "exclude_segments"), pk=pk)


# --- the list ----------------------------------------------------------------------------------

@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The Email section's page; people without the capability get an explanation."""
    if not queries.can_manage_campaigns(request.user):
        return render(request, "campaigns/no_access.html", {"current_section": SECTION})
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()
    campaigns = list(queries.campaign_list(status=status, search=search)[:200])
    for campaign in campaigns:
        campaign.open_rate = queries.rate(campaign.opened_count, campaign.delivered_count)
        campaign.click_rate = queries.rate(campaign.clicked_count, campaign.delivered_count)
    return _page(request, "campaigns/list.html", {
        "campaigns": campaigns, "status": status, "search": search,
        "statuses": Campaign.Status.choices})


@manage
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = NewCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = services.create_campaign(actor=request.user,
                                            name=form.cleaned_data["name"])
        return redirect(campaign)
    return _page(request, "campaigns/new.html", {"form": form})


# --- one campaign ------------------------------------------------------------------------------

@manage
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if not campaign.is_editable:
        return _status_page(request, campaign)
    zone = request_zone(request)
    form = CampaignForm(request.POST or None, campaign=campaign, zone=zone)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(campaign, actor=request.user,
                                     expected_version=form.cleaned_data["version"],
                                     **form.changes())
        except services.CampaignError as error:
            messages.error(request, error.message)
            return redirect(campaign)
        messages.success(request, _("Campaign saved."))
        return redirect(f"{campaign.get_absolute_url()}#review")
    return _editor(request, campaign, form, zone)


def _editor(request, campaign: Campaign, form: CampaignForm, zone) -> HttpResponse:
    estimate = queries.campaign_estimate(campaign)
    problems = (queries.launch_problems(campaign, recipient_estimate=estimate)
                if not form.is_bound else [])
    return _page(request, "campaigns/editor.html", {
        "campaign": campaign, "form": form, "estimate": estimate, "problems": problems,
        "zone": zone, "zones": zone_names(), "reasons": exclusion_labels()})


def _status_page(request, campaign: Campaign) -> HttpResponse:
    return _page(request, "campaigns/status.html", {
        "campaign": campaign, "progress": queries.progress(campaign),
        "poll_seconds": POLL_SECONDS, "zone": request_zone(request),
        "variants": queries.variants_of(campaign),
        "labels": dict(zip([v.position for v in queries.variants_of(campaign)],
                           queries.variant_labels(campaign), strict=False)),
        "winner_due_at": services.winner_due_at(campaign)})


@manage
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of a launched campaign's page, polled by htmx while it sends."""
    campaign = get_object_or_404(Campaign.objects.select_related("send"), pk=pk)
    return render(request, "campaigns/_progress.html", {
        "campaign": campaign, "progress": queries.progress(campaign),
        "poll_seconds": POLL_SECONDS})


@manage
@require_POST
def estimate(request: HttpRequest) -> HttpResponse:
    """The editor's live recipient estimate for the segments and type being chosen."""
    include = _ids(request.POST.getlist("include_segments"))
    exclude = _ids(request.POST.getlist("exclude_segments"))
    kind = _subscription_type(request.POST.get("subscription_type", ""))
    return render(request, "campaigns/_estimate.html", {
        "estimate": queries.estimate(include, exclude, kind), "reasons": exclusion_labels()})


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()][:200]


def _subscription_type(value: str):
    from clarion.subscriptions.models import SubscriptionType

    return SubscriptionType.objects.filter(pk=value).first() if value.isdigit() else None


def exclusion_labels() -> dict[str, str]:
    return {"no_email": _("No email address"), "suppressed": _("On the suppression list"),
            "unsubscribed": _("Unsubscribed from this type"),
            "no_consent": _("Never opted in to this type"),
            "pending_confirmation": _("Opt-in not yet confirmed"),
            "duplicate_address": _("Same address as another contact")}


# --- actions -----------------------------------------------------------------------------------

def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        action(campaign, actor=request.user)
    except services.CampaignError as error:
        messages.error(request, error.message)
        for problem in error.problems:
            messages.error(request, problem.message)
    else:
        messages.success(request, done)
    return redirect(campaign)


@manage
@require_POST
def launch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    done = (_("Sending started.") if campaign.schedule == Campaign.Schedule.NOW
            else _("Campaign scheduled."))
    return _act(request, pk, services.launch, done)


@manage
@require_POST
def unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.unschedule, _("Back to a draft; it will not be sent "
                                                    "until you send or schedule it again."))


@manage
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.pause, _("Paused. Nothing more goes out until you "
                                               "resume."))


@manage
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resume, _("Resumed."))


@manage
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.cancel, _("Cancelled. Nothing more will be sent."))


@manage
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        services.delete_campaign(campaign, actor=request.user)
    except services.CampaignError as error:
        messages.error(request, error.message)
        return redirect(campaign)
    messages.success(request, _("“%(name)s” deleted.") % {"name": campaign.name})
    return redirect("campaigns:list")
