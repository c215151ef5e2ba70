"""The exports API: ask for an export, follow it, download its file.

An export of contacts needs a key with `contacts:read` (companies: `companies:read`, deals:
`deals:read`) whose user holds `data.export`; the file holds only the records that user may
see. Only the export's owner can read or download it.
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clarion.api.auth import APIKeyAuth
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.pagination import CursorPagination
from clarion.api.scopes import get_scope, user_may_use
from clarion.integrations import exports
from clarion.integrations.models import ExportJob

router = Router(tags=["exports"], auth=APIKeyAuth())


class NotReady(APIError):
    status, code = 409, "not_ready"


class ExportIn(Schema):
    object_type: Literal["contact", "company", "deal", "contacts", "companies", "deals"] = Field(
        description="What to export.")
    filter: dict | None = Field(None, description="A filter tree (see the filter language); "
                                                  "none exports every record you may see.")
    segment_id: int | None = Field(None, description="Only the members of this segment "
                                                     "or list (contacts).")
    columns: list[str] = Field(default_factory=list, description="Property names, in order; "
                               "empty for every property. The record id always comes first.")
    format: Literal["csv", "xlsx"] = "csv"


class ExportOut(Schema):
    id: int
    object_type: str
    status: str
    format: str
    filter: dict = Field(alias="definition")
    columns: list[str]
    row_count: int
    created_at: datetime
    finished_at: datetime | None
    error: str
    file_url: str | None = None

    @staticmethod
    def resolve_file_url(job: ExportJob, context) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        request = context["request"]
        return request.build_absolute_uri(reverse("api:export_file", args=[job.pk]))


class ExportPage(Schema):
    results: list[ExportOut]
    next: str | None


def _check_may_export(request: HttpRequest, object_type: str) -> str:
    """The record type's name, when the key may export it."""
    try:
        kind = exports.object_type_named(object_type)
    except ValidationError as error:
        raise APIError(error.messages[0]) from None
    scope = get_scope(f"{kind.model.capability_area}:read")
    if scope.name not in request.auth.scopes or not user_may_use(request.user, scope):
        raise Forbidden(_("Exporting these records needs the scope “%(scope)s”.")
                        % {"scope": scope.name})
    if not exports.may_export(request.user):
        raise Forbidden(_("The key's user may not export records."))
    return kind.name


def _segment(segment_id: int | None):
    if segment_id is None:
        return None
    from clarion.segments.models import Segment

    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(_("No segment with id %(id)s.") % {"id": segment_id})
    return segment


def _own_export(request: HttpRequest, export_id: int) -> ExportJob:
    job = exports.get_export_for(request.user, export_id)
    if job is None:
        raise NotFound(_("No export with id %(id)s.") % {"id": export_id})
    return job


@router.post("", response={202: ExportOut}, url_name="create_export",
             operation_id="create_export", summary="Start an export")
def create_export(request, body: ExportIn):
    name = _check_may_export(request, body.object_type)
    job = exports.request_export(actor=request.user, object_type=name,
                                 definition=body.filter, columns=body.columns,
                                 segment=_segment(body.segment_id), fmt=body.format)
    return Status(202, job)


@router.get("", response=ExportPage, url_name="list_exports", operation_id="list_exports",
            summary="List your exports")
def list_exports(request, pagination: Query[CursorPagination.Input]):
    newest_first = CursorPagination(order_by="-id")
    return newest_first.paginate_queryset(exports.exports_of(request.user), pagination, request)


@router.get("/{int:export_id}", response=ExportOut, url_name="get_export",
            operation_id="get_export", summary="Get an export")
def get_export(request, export_id: int):
    return _own_export(request, export_id)


@router.get("/{int:export_id}/file", url_name="export_file", operation_id="export_file",
            summary="Download an export's file", response={200: None})
def export_file(request, export_id: int):
    job = _own_export(request, export_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise NotReady(_("The export is %(status)s; its file is not ready.")
                       % {"status": job.get_status_display()})
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=exports.download_name(job))
