"""The campaign report pages: the report (numbers, opens and clicks over time, clicks per
link, A/B variants), the contacts behind each number, and one contact's trace.

Everything here needs the `marketing.manage` capability; the contacts listed are always read
through `visible_to`, so a number may count more people than the viewer may see.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.campaigns import reports
from clarion.campaigns.models import Campaign
from clarion.campaigns.trace import trace_contact
from clarion.core import cursors
from clarion.core.permissions import (
    capability_required,
    has_capability,
    is_guest,
    visible_to,
)
from clarion.crm.models import Contact

CAPABILITY = "marketing.manage"
PAGE_SIZE = 50
CURSOR_SALT = "campaigns.report.contacts"
CHART_WIDTH, CHART_HEIGHT = 600, 160


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("send"), pk=pk)


def campaign_page_url(campaign: Campaign) -> str:
    """The campaign's own page, or its report while the campaign pages are not there."""
    try:
        return campaign.get_absolute_url()
    except NoReverseMatch:
        return reverse("campaign_reports:report", args=[campaign.pk])


def chart_bars(buckets: list[reports.Bucket]) -> dict:
    """Bar positions (in the SVG's own units) for opens and clicks side by side."""
    if not buckets:
        return {}
    top = max(max(b.opens, b.clicks) for b in buckets) or 1
    slot = CHART_WIDTH / len(buckets)
    bar = max(slot * 0.4, 0.5)
    bars = []
    for index, bucket in enumerate(buckets):
        x = index * slot + slot * 0.1
        opens_height = CHART_HEIGHT * bucket.opens / top
        clicks_height = CHART_HEIGHT * bucket.clicks / top
        bars.append({"bucket": bucket, "x_opens": round(x, 2), "x_clicks": round(x + bar, 2),
                     "width": round(bar, 2),
                     "y_opens": round(CHART_HEIGHT - opens_height, 2),
                     "h_opens": round(opens_height, 2),
                     "y_clicks": round(CHART_HEIGHT - clicks_height, 2),
                     "h_clicks": round(clicks_height, 2)})
    return {"bars": bars, "top": top, "width": CHART_WIDTH, "height": CHART_HEIGHT}


@capability_required(CAPABILITY)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    numbers = reports.campaign_report(campaign)
    activity = reports.activity_over_time(campaign.send)
    return render(request, "campaigns/report/report.html", {
        "campaign": campaign, "report": numbers, "totals": numbers.totals,
        "activity": activity, "chart": chart_bars(activity),
        "links": reports.clicks_per_link(campaign.send),
        "campaign_url": campaign_page_url(campaign), "current_section": "email"})


def _narrowing(params) -> dict:
    """The drill-down's metric, variant and reason from the query string or the posted form
    (404 for an unknown metric)."""
    metric = params.get("metric", "sent")
    if metric not in reports.METRICS:
        raise Http404
    narrowing: dict = {"metric": metric, "variant": None, "reason": None}
    if params.get("variant", "").isdigit():
        narrowing["variant"] = int(params["variant"])
    if "reason" in params:
        narrowing["reason"] = params["reason"][:40]
    return narrowing


def _page(queryset, after: str) -> tuple[list, str]:
    """A keyset page of messages, oldest id first."""
    if after:
        try:
            _value, last_id = cursors.decode_cursor(after, salt=CURSOR_SALT)
            queryset = queryset.filter(pk__gt=int(last_id))
        except (cursors.InvalidCursor, TypeError, ValueError):
            pass
    page = list(queryset.order_by("pk").select_related("contact")[:PAGE_SIZE + 1])
    if len(page) <= PAGE_SIZE:
        return page, ""
    page = page[:PAGE_SIZE]
    return page, cursors.encode_cursor(None, page[-1].pk, salt=CURSOR_SALT)


def _drill_title(narrowing: dict) -> str:
    title = str(reports.METRIC_LABELS[narrowing["metric"]])
    if narrowing["reason"] is not None:
        title = f"{title}: {reports.reason_label(narrowing['reason'])}"
    if narrowing["variant"] is not None:
        title = _("%(metric)s, variant %(variant)s") % {
            "metric": title, "variant": reports.variant_name(narrowing["variant"])}
    return title


@capability_required(CAPABILITY)
def contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """The contacts behind one number of the report, a page at a time."""
    campaign = _campaign(pk)
    if campaign.send is None:
        raise Http404
    narrowing = _narrowing(request.GET)
    metric = narrowing.pop("metric")
    queryset = reports.visible_metric_messages(request.user, campaign.send, metric,
                                               **narrowing)
    page, next_cursor = _page(queryset, request.GET.get("after", ""))
    for message in page:
        message.reason_text = reports.reason_label(message.reason) if message.reason else ""
    context = {"campaign": campaign, "messages_page": page, "next_cursor": next_cursor,
               "metric": metric, "variant": narrowing["variant"], "reason": narrowing["reason"],
               "title": _drill_title({"metric": metric, **narrowing}),
               "paged": bool(request.GET.get("after")), "may_export": _may_export(request.user),
               "query": request.GET.urlencode(), "current_section": "email"}
    template = ("campaigns/report/contacts_rows.html" if request.htmx
                else "campaigns/report/contacts.html")
    return render(request, template, context)


def _may_export(user) -> bool:
    from clarion.integrations.exports import may_export

    return may_export(user)


@require_POST
@capability_required(CAPABILITY)
def export_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Export the contacts behind a number through the export jobs (CSV, in the background;
    the file appears on the exports page)."""
    from clarion.integrations.exports import request_export

    campaign = _campaign(pk)
    if campaign.send is None:
        raise Http404
    narrowing = _narrowing(request.POST)
    metric = narrowing.pop("metric")
    ids = list(reports.visible_metric_messages(request.user, campaign.send, metric,
                                               **narrowing).values_list("contact_id",
                                                                        flat=True))
    try:
        with transaction.atomic():
            request_export(actor=request.user, object_type="contact", record_ids=ids,
                           fmt="csv")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("campaign_reports:contacts", args=[pk]) + "?" +
                        request.POST.urlencode())
    messages.success(request, _("Your export is being prepared; it will be on the exports "
                                "page in a moment."))
    return redirect("integrations:export_list")


@capability_required(CAPABILITY)
def trace(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Why did (or didn't) this contact get this campaign's email?"""
    campaign = _campaign(pk)
    contact = get_object_or_404(visible_to(request.user, Contact.objects.all()), pk=contact_pk)
    return render(request, "campaigns/report/trace.html", {
        "campaign": campaign, "trace": trace_contact(campaign, contact),
        "current_section": "email"})


@login_required
def contact_messages(request: HttpRequest, contact_pk: int) -> HttpResponse:
    """The list of a contact page's "Marketing email" card: everyone who may see the
    contact sees what was sent to them; the trace links need `marketing.manage`."""
    from clarion.campaigns.panels import recent_messages

    if is_guest(request.user):
        raise Http404
    contact = get_object_or_404(visible_to(request.user, Contact.objects.all()), pk=contact_pk)
    return render(request, "campaigns/report/record_panel_items.html", {
        "messages": recent_messages(contact),
        "may_trace": has_capability(request.user, CAPABILITY)})
