"""The tracking API: the delivery reports received (bounces, complaints, unsubscribe emails,
email service events), newest first. Reading needs the `marketing:read` scope (on the
`marketing.manage` capability). The counters and events themselves are on the messages and
the contacts' timelines (the campaigns and events APIs)."""

from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema

from clarion.api.auth import scope_required
from clarion.api.errors import NotFound
from clarion.api.pagination import CursorPagination
from clarion.tracking import queries
from clarion.tracking.models import Notice

READ = "marketing:read"

router = Router(tags=["tracking"], auth=scope_required(READ))


class DeliveryReportOut(Schema):
    id: int
    received_at: datetime
    source: Literal[tuple(Notice.Source.values)]
    kind: Literal[tuple(Notice.Kind.values)]
    email: str
    summary: str
    diagnostic: str
    message_id: int | None
    send_id: int | None


class DeliveryReportDetail(DeliveryReportOut):
    raw: str


class DeliveryReportPage(Schema):
    results: list[DeliveryReportOut]
    next: str | None = None


def _out(notice: Notice) -> dict:
    return {"id": notice.pk, "received_at": notice.received_at, "source": notice.source,
            "kind": notice.kind, "email": notice.email, "summary": notice.summary,
            "diagnostic": notice.diagnostic, "message_id": notice.message_id,
            "send_id": notice.message.send_id if notice.message_id else None}


@router.get("", response=DeliveryReportPage, url_name="list_delivery_reports",
            operation_id="list_delivery_reports",
            summary="Delivery reports received, newest first")
def list_delivery_reports(request, pagination: Query[CursorPagination.Input],
                          kind: Literal[tuple(Notice.Kind.values)] | None = None,
                          search: str = Query("", max_length=254)):
    rows = queries.delivery_reports(kind=kind or "", search=search).select_related("message")
    page = CursorPagination(order_by="-received_at").paginate_queryset(rows, pagination,
                                                                       request)
    page["results"] = [_out(notice) for notice in page["results"]]
    return page


@router.get("/{int:report_id}", response=DeliveryReportDetail,
            url_name="get_delivery_report", operation_id="get_delivery_report",
            summary="One delivery report, with the raw text of one that led nowhere")
def get_delivery_report(request, report_id: int):
    notice = Notice.objects.select_related("message").filter(pk=report_id).first()
    if notice is None:
        raise NotFound()
    return {**_out(notice), "raw": notice.raw}


routers = [("/delivery-reports", router)]
