"""The campaign report over the API: the numbers (in total, per variant, by reason, over time
and per link) and the contacts behind one number, cursor-paginated.

Both need the `marketing:read` scope (whose user must hold `marketing.manage`); the contacts
are restricted to those the key's user may see, as on the report pages.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from clarion.api.auth import scope_required
from clarion.api.errors import NotFound
from clarion.api.pagination import CursorPagination
from clarion.campaigns import reports
from clarion.campaigns.models import Campaign
from clarion.crm.api_schemas import Id

READ = "marketing:read"
MetricName = Literal[*reports.METRICS]


class NumbersOut(Schema):
    recipients: int
    sent: int
    delivered: int
    bounced: int
    hard_bounced: int
    soft_bounced: int
    opened: int
    opens: int
    machine_opened: int
    machine_opens: int
    clicked: int
    clicks: int
    machine_clicked: int
    machine_clicks: int
    unsubscribed: int
    complained: int
    failed: int
    skipped: int
    pending: int
    cancelled: int
    delivery_rate: float | None
    bounce_rate: float | None
    open_rate: float | None
    click_rate: float | None
    click_to_open_rate: float | None
    unsubscribe_rate: float | None
    complaint_rate: float | None


class VariantOut(Schema):
    position: int
    name: str
    subject: str
    is_winner: bool
    numbers: NumbersOut


class ReasonOut(Schema):
    reason: str
    label: str
    count: int


class BucketOut(Schema):
    start: datetime
    period: Literal["hour", "day"]
    opens: int
    clicks: int


class LinkOut(Schema):
    url: str
    clicks: int
    unique_clicks: int


class ReportOut(Schema):
    campaign_id: int
    send_id: int | None
    totals: NumbersOut
    variants: list[VariantOut]
    skipped_by_reason: list[ReasonOut]
    failed_by_reason: list[ReasonOut]
    over_time: list[BucketOut]
    links: list[LinkOut]


class RecipientOut(Schema):
    message_id: int
    contact_id: int
    email: str
    variant: int
    status: str
    reason: str
    attempts: int
    smtp_code: int | None
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    open_count: int
    clicked_at: datetime | None
    click_count: int
    bounced_at: datetime | None
    bounce_kind: str
    unsubscribed_at: datetime | None
    complained_at: datetime | None

    @staticmethod
    def resolve_message_id(message) -> int:
        return message.pk


class RecipientPage(Schema):
    results: list[RecipientOut]
    next: str | None = None


def _campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("send").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("No campaign with id %(id)s.") % {"id": campaign_id})
    return campaign


def _reasons(items: list[tuple[str, str, int]]) -> list[dict]:
    return [{"reason": code, "label": label, "count": count} for code, label, count in items]


def report_body(campaign: Campaign) -> dict:
    report = reports.campaign_report(campaign)
    return {
        "campaign_id": campaign.pk, "send_id": campaign.send_id,
        "totals": report.totals.as_dict(),
        "variants": [{"position": v.position, "name": v.name, "subject": v.subject,
                      "is_winner": v.is_winner, "numbers": v.numbers.as_dict()}
                     for v in report.variants],
        "skipped_by_reason": _reasons(report.skipped_by_reason),
        "failed_by_reason": _reasons(report.failed_by_reason),
        "over_time": [{"start": b.start, "period": "hour" if b.hourly else "day",
                       "opens": b.opens, "clicks": b.clicks}
                      for b in reports.activity_over_time(campaign.send)],
        "links": [{"url": link.url, "clicks": link.clicks, "unique_clicks": link.unique}
                  for link in reports.clicks_per_link(campaign.send)],
    }


def build_router() -> Router:
    """A new router with the report endpoints (a ninja router belongs to one API)."""
    router = Router(tags=["campaigns"], auth=scope_required(READ, capability="marketing.manage"))

    @router.get("/{int:campaign_id}/report", response=ReportOut, url_name="campaign_report",
                operation_id="campaign_report", summary="A campaign's report")
    def campaign_report(request: HttpRequest, campaign_id: Id):
        return report_body(_campaign(campaign_id))

    @router.get("/{int:campaign_id}/report/contacts", response=RecipientPage,
                url_name="campaign_report_contacts", operation_id="campaign_report_contacts",
                summary="The recipients behind one number of a campaign's report")
    def campaign_report_contacts(request: HttpRequest, campaign_id: Id,
                                 pagination: Query[CursorPagination.Input],
                                 metric: MetricName = "sent", variant: int | None = None,
                                 reason: str | None = None):
        campaign = _campaign(campaign_id)
        if campaign.send is None:
            return {"results": [], "next": None}
        messages = reports.visible_metric_messages(request.user, campaign.send, metric,
                                                   variant=variant, reason=reason)
        return CursorPagination(order_by="id").paginate_queryset(messages, pagination,
                                                                  request)

    return router


router = build_router()
prefix = "/campaigns"
