"""The email designs API: emails and saved templates (CRUD, the block document validated, saves
guarded by `If-Match`), rendering a preview, the template library, creating an email from a
template, and the image library.

Reading needs the `marketing:read` scope, changing `marketing:write`; both need the key's
user to hold `marketing.manage`. Writes go through clarion.emails.designs and
clarion.emails.assets, like the builder's.
"""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination
from clarion.api.preconditions import expected_version
from clarion.crm.api_schemas import Id, Input
from clarion.emails import assets, designs, queries, rendering
from clarion.emails.models import Asset, Email

CAPABILITY = queries.CAPABILITY
READ = scope_required("marketing:read", capability=CAPABILITY)
WRITE = scope_required("marketing:write", capability=CAPABILITY)
SAVED_TEMPLATES_SHOWN = 100


class Conflict(APIError):
    status, code = 409, "conflict"


class EmailOut(Schema):
    id: int
    name: str
    kind: str
    category: str
    subject: str
    preheader: str
    document: dict[str, Any]
    owner_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class EmailSummary(Schema):
    id: int
    name: str
    kind: str
    category: str
    subject: str
    owner_id: int | None
    version: int
    updated_at: datetime


class EmailPage(Schema):
    results: list[EmailSummary]
    next: str | None = None


class EmailIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["email", "template"] = "email"
    category: str = Field("", max_length=40)
    subject: str = Field("", max_length=255)
    preheader: str = Field("", max_length=255)
    document: dict[str, Any] | None = Field(
        None, description="The block document (docs/user/email-builder.md); empty if left out.")


class EmailPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    category: str | None = Field(None, max_length=40)
    subject: str | None = Field(None, max_length=255)
    preheader: str | None = Field(None, max_length=255)
    document: dict[str, Any] | None = None


class PreviewIn(Input):
    document: dict[str, Any]
    subject: str = Field("", max_length=255)
    preheader: str = Field("", max_length=255)
    contact_id: Id | None = Field(None, description="Render with this contact's values.")


class PreviewOut(Schema):
    subject: str
    html: str
    text: str
    unknown_tokens: list[str]
    errors: list[str] = []


class LibraryTemplateOut(Schema):
    key: str
    name: str
    category: str
    description: str
    subject: str
    preheader: str


class TemplatesOut(Schema):
    builtin: list[LibraryTemplateOut]
    saved: list[EmailSummary]


class FromTemplateIn(Input):
    template: str | None = Field(None, max_length=100, description="A built-in template's key.")
    email_id: Id | None = Field(None, description="A saved template or email to copy.")
    name: str = Field("", max_length=200)


class AssetOut(Schema):
    id: int
    name: str
    url: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    created_at: datetime


class AssetPage(Schema):
    results: list[AssetOut]
    next: str | None = None


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


def _get(email_id: int) -> Email:
    email = Email.objects.filter(pk=email_id).first()
    if email is None:
        raise NotFound(_("No email with id %(id)s.") % {"id": email_id})
    return email


def _invalid(error: designs.InvalidDocument) -> ValidationError:
    return ValidationError({"body.document": [problem["message"]
                                              for problem in error.problems]})


def _with_etag(email: Email, response: HttpResponse) -> Email:
    response["ETag"] = f'"{email.version}"'
    return email


router = Router(tags=["emails"], auth=READ)


@router.get("", response=EmailPage, **_named("list_emails"),
            summary="List emails (or saved templates), most recently changed first")
def list_emails(request, pagination: Query[CursorPagination.Input],
                kind: Literal["email", "template"] = "email", search: str = ""):
    designs_qs = queries.emails(kind=kind, search=search).select_related(None).defer("document")
    return CursorPagination(order_by="-updated_at").paginate_queryset(designs_qs, pagination,
                                                                      request)


def _create(request, payload: EmailIn) -> tuple[int, dict]:
    try:
        email = designs.create_email(
            actor=request.user, name=payload.name, kind=payload.kind, category=payload.category,
            subject=payload.subject, preheader=payload.preheader, document=payload.document)
    except designs.InvalidDocument as error:
        raise _invalid(error) from None
    return 201, EmailOut.from_orm(email).model_dump(mode="json")


@router.post("", response={201: EmailOut}, auth=WRITE, **_named("create_email"),
             summary="Create an email or a saved template")
def create(request, payload: EmailIn):
    return Status(*run_once(request, lambda: _create(request, payload)))


@router.post("/preview", response=PreviewOut, **_named("preview_email_document"),
             summary="Render a block document as a contact (or sample values) would see it")
def preview(request, body: PreviewIn):
    try:
        document = designs.clean_document(body.document)
    except designs.InvalidDocument as error:
        raise _invalid(error) from None
    contact = queries.preview_contact(request.user, body.contact_id) if body.contact_id else None
    if body.contact_id and contact is None:
        raise NotFound(_("No contact with id %(id)s.") % {"id": body.contact_id})
    return rendering.render_preview(document, subject=body.subject, preheader=body.preheader,
                                    contact=contact)


def _from_template(request, body: FromTemplateIn) -> tuple[int, dict]:
    if body.template:
        template = queries.library_template(body.template)
        if template is None:
            raise NotFound(_("No built-in template “%(key)s”.") % {"key": body.template})
        email = designs.create_from_library(template, actor=request.user, name=body.name)
    elif body.email_id:
        source = _get(body.email_id)
        email = designs.duplicate_email(source, actor=request.user,
                                        name=body.name or source.name)
    else:
        raise ValidationError({"body.template": [_("Name a built-in template or an email.")]})
    return 201, EmailOut.from_orm(email).model_dump(mode="json")


@router.post("/from-template", response={201: EmailOut}, auth=WRITE,
             **_named("create_email_from_template"),
             summary="Create an email from a built-in template or a copy of a saved one")
def from_template(request, body: FromTemplateIn):
    return Status(*run_once(request, lambda: _from_template(request, body)))


@router.get("/{int:email_id}", response=EmailOut, **_named("get_email"),
            summary="Get an email with its block document (ETag: its version)")
def read_one(request, email_id: Id, response: HttpResponse):
    return _with_etag(_get(email_id), response)


@router.patch("/{int:email_id}", response=EmailOut, auth=WRITE, **_named("update_email"),
              summary="Change an email; send If-Match with the version you read")
def update(request, email_id: Id, payload: EmailPatch, response: HttpResponse):
    email = _get(email_id)
    version = expected_version(request)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    try:
        email = designs.save_email(email, actor=request.user,
                                   version=email.version if version is None else version,
                                   **changes)
    except designs.InvalidDocument as error:
        raise _invalid(error) from None
    except designs.VersionConflict as conflict:
        raise Conflict(_("The email is at version %(version)s: read it again and retry.")
                       % {"version": conflict.current.version}) from None
    return _with_etag(email, response)


@router.delete("/{int:email_id}", response={204: None}, auth=WRITE, **_named("delete_email"),
               summary="Delete an email or saved template")
def delete(request, email_id: Id):
    designs.delete_email(_get(email_id), actor=request.user)
    return Status(204, None)


@router.post("/{int:email_id}/preview", response=PreviewOut, **_named("preview_email"),
             summary="Render a saved email as a contact (or sample values) would see it")
def preview_saved(request, email_id: Id, contact_id: Id | None = None):
    email = _get(email_id)
    contact = queries.preview_contact(request.user, contact_id) if contact_id else None
    if contact_id and contact is None:
        raise NotFound(_("No contact with id %(id)s.") % {"id": contact_id})
    return rendering.render_preview(email.document, subject=email.subject,
                                    preheader=email.preheader, contact=contact)


templates_router = Router(tags=["emails"], auth=READ)


@templates_router.get("", response=TemplatesOut, **_named("list_email_templates"),
                      summary="The built-in templates and the most recent saved ones")
def list_templates(request):
    saved = queries.saved_templates().select_related(None).defer("document")
    return {"builtin": queries.library_templates(), "saved": saved[:SAVED_TEMPLATES_SHOWN]}


assets_router = Router(tags=["emails"], auth=READ)


def _asset_out(asset: Asset) -> dict:
    return assets.as_dict(asset)


@assets_router.get("", response=AssetPage, **_named("list_email_images"),
                   summary="The image library, newest first")
def list_assets(request, pagination: Query[CursorPagination.Input]):
    page = CursorPagination(order_by="-created_at").paginate_queryset(
        queries.assets(), pagination, request)
    page["results"] = [_asset_out(asset) for asset in page["results"]]
    return page


@assets_router.post("", response={201: AssetOut}, auth=WRITE, **_named("upload_email_image"),
                    summary="Upload an image (PNG, JPEG, GIF or WebP) to the library")
def upload_asset(request, file: UploadedFile = File(...)):  # noqa: B008
    try:
        asset = assets.upload_image(actor=request.user, uploaded=file)
    except assets.ImageRefused as error:
        raise ValidationError({"file": [str(error)]}) from None
    return Status(201, _asset_out(asset))


routers = [("/emails", router), ("/email-templates", templates_router),
           ("/email-assets", assets_router)]
