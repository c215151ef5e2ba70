"""The imports API: upload a file, fix its mapping, preview, start, follow, download the rows
that were not imported, undo.

An import of contacts needs a key with `contacts:write` (companies: `companies:write`, deals:
`deals:write`; contacts + companies: both) whose user holds `data.import`. Only the import's
owner (or someone who manages settings) can see it.

Exports live in `api_exports.py`; this module mounts both (`routers` below).
"""

from datetime import datetime
from importlib import import_module
from typing import Literal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from clarion.api.auth import APIKeyAuth
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.pagination import CursorPagination
from clarion.api.scopes import get_scope, user_may_use
from clarion.integrations import queries, services
from clarion.integrations.imports.mapping import record_type
from clarion.integrations.models import ImportJob

router = Router(tags=["imports"], auth=APIKeyAuth())

REQUIRED_FILE = File(...)
OBJECT_TYPES = Literal["contact", "company", "deal", "contact+company"]


class Conflict(APIError):
    status, code = 409, "conflict"


class ImportOut(Schema):
    id: int
    object_type: str
    mode: str
    match_by: str
    original_name: str
    status: str
    encoding: str
    delimiter: str
    headers: list[str]
    sample: list[list[str]]
    mapping: dict[str, str] = Field(description="Column header → field name (\"\" = ignored).")
    transforms: dict[str, dict]
    list_id: int | None
    total_rows: int | None
    processed_rows: int
    created_count: int
    updated_count: int
    skipped_count: int
    failed_count: int
    progress_percent: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str


class ImportPage(Schema):
    results: list[ImportOut]
    next: str | None


class MappingIn(Schema):
    mapping: dict[str, str] = Field(description="Column header → field name; \"\" ignores "
                                                "the column.")
    transforms: dict[str, dict] = Field(default_factory=dict, description=(
        "Column header → {\"kind\": \"date_format\", \"format\": \"%d/%m/%Y\"} | "
        "{\"kind\": \"split_name\"} | {\"kind\": \"map_values\", \"values\": {…}}."))


class PreviewRowOut(Schema):
    line: int
    values: dict[str, str]
    errors: list[str]


class FieldOut(Schema):
    name: str
    label: str


def _check_scopes(request: HttpRequest, object_type: str) -> None:
    areas = ["contacts", "companies"] if object_type == "contact+company" else [
        {"contact": "contacts", "company": "companies", "deal": "deals"}[record_type(
            object_type)]]
    for area in areas:
        scope = get_scope(f"{area}:write")
        if scope.name not in request.auth.scopes or not user_may_use(request.user, scope):
            raise Forbidden(_("Importing these records needs the scope “%(scope)s”.")
                            % {"scope": scope.name})


def _own_import(request: HttpRequest, import_id: int) -> ImportJob:
    job = queries.get_import_for(request.user, import_id)
    if job is None:
        raise NotFound(_("No import with id %(id)s.") % {"id": import_id})
    _check_scopes(request, job.object_type)
    return job


def _service_call(function, *args, **kwargs):
    """Call an import service, turning its refusals into API errors."""
    try:
        return function(*args, **kwargs)
    except services.ImportNotAllowed as error:
        raise Forbidden(str(error)) from None
    except services.ImportStateError as error:
        raise Conflict(str(error)) from None


@router.post("", response={201: ImportOut}, url_name="create_import",
             operation_id="create_import", summary="Upload a file to import (multipart)")
def create_import(request, object_type: Form[OBJECT_TYPES],
                  mode: Form[Literal["create", "update", "upsert"]] = "upsert",
                  match_by: Form[Literal["email", "id", "domain"]] = "email",
                  list_id: Form[int | None] = None, file: UploadedFile = REQUIRED_FILE):
    _check_scopes(request, object_type)
    segment = None
    if list_id is not None:
        from clarion.segments.models import Segment

        segment = Segment.objects.filter(pk=list_id).first()
        if segment is None:
            raise NotFound(_("No list with id %(id)s.") % {"id": list_id})
    job = _service_call(services.create_import, actor=request.user, file=file,
                        name=file.name, object_type=object_type, mode=mode,
                        match_by=match_by, list=segment)
    return Status(201, job)


@router.get("", response=ImportPage, url_name="list_imports", operation_id="list_imports",
            summary="List your imports")
def list_imports(request, pagination: Query[CursorPagination.Input]):
    newest_first = CursorPagination(order_by="-id")
    return newest_first.paginate_queryset(queries.imports_of(request.user), pagination, request)


@router.get("/{int:import_id}", response=ImportOut, url_name="get_import",
            operation_id="get_import", summary="Get an import (status, progress, counts)")
def get_import(request, import_id: int):
    return _own_import(request, import_id)


@router.get("/{int:import_id}/fields", response=list[FieldOut], url_name="import_fields",
            operation_id="import_fields", summary="The fields columns can be mapped to")
def import_fields(request, import_id: int):
    job = _own_import(request, import_id)
    return [{"name": f.name, "label": str(f.label)} for f in queries.mapping_targets(job)]


@router.patch("/{int:import_id}/mapping", response=ImportOut, url_name="set_import_mapping",
              operation_id="set_import_mapping", summary="Set the column mapping")
def set_import_mapping(request, import_id: int, body: MappingIn):
    job = _own_import(request, import_id)
    return _service_call(services.set_mapping, job, body.mapping, body.transforms,
                         actor=request.user)


@router.get("/{int:import_id}/preview", response=list[PreviewRowOut],
            url_name="preview_import", operation_id="preview_import",
            summary="The first rows as they will be stored, with their problems")
def preview_import(request, import_id: int, limit: int = 20):
    job = _own_import(request, import_id)
    return services.preview(job, limit=max(1, min(limit, services.SAMPLE_ROWS)))


@router.post("/{int:import_id}/start", response={202: ImportOut}, url_name="start_import",
             operation_id="start_import", summary="Start importing in the background")
def start_import(request, import_id: int):
    job = _own_import(request, import_id)
    return Status(202, _service_call(services.start_import, job, actor=request.user))


@router.get("/{int:import_id}/errors", url_name="import_errors", operation_id="import_errors",
            summary="The rows not imported, with line numbers and reasons (CSV)",
            response={200: None})
def import_errors(request, import_id: int):
    job = _own_import(request, import_id)
    response = StreamingHttpResponse(services.error_csv_lines(job),
                                     content_type="text/csv; charset=utf-8")
    base = job.original_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = content_disposition_header(True, f"{base}-errors.csv")
    return response


@router.post("/{int:import_id}/undo", response=ImportOut, url_name="undo_import",
             operation_id="undo_import", summary="Undo a finished import")
def undo_import(request, import_id: int):
    job = _own_import(request, import_id)
    return _service_call(services.undo_import, job, actor=request.user)


def _exports_routers() -> list:
    """The exports API, written in api_exports.py, mounted beside the imports."""
    try:
        module = import_module("clarion.integrations.api_exports")
    except ModuleNotFoundError:
        return []
    if hasattr(module, "routers"):
        return list(module.routers)
    return [("/exports", module.router)]


# Mounted by clarion.api.root. Other routers of this app: add them here.
routers = [("/imports", router), *_exports_routers()]
