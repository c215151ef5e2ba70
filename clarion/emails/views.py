"""The pages of email designs: the list, the template gallery, the builder with its JSON
endpoints (save, live preview, send a test, save as template) and the file library of images.

Every page needs the `marketing.manage` capability, except the public image address that
email clients fetch images from (see assets.py).
"""

import json
import logging
from smtplib import SMTPException

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from clarion.core.permissions import capability_required
from clarion.crm.pickers import picker_url
from clarion.emails import assets, designs, queries, rendering, services
from clarion.emails.blocks import DocumentError
from clarion.emails.forms import EmailSearchForm, TemplateNameForm, block_labels, new_blocks
from clarion.emails.models import Email
from clarion.emails.personalize import PersonalizationError, available_tokens

logger = logging.getLogger(__name__)
manage_email = capability_required(queries.CAPABILITY)
PAGE_SIZE = 50
THUMBNAIL_CSP = "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'"


def _email_or_404(pk: int, kind: str | None = None) -> Email:
    designs_qs = Email.objects.select_related("owner")
    if kind:
        designs_qs = designs_qs.filter(kind=kind)
    return get_object_or_404(designs_qs, pk=pk)


def _json_body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


# --- the list --------------------------------------------------------------------------

@manage_email
@require_GET
def email_list(request: HttpRequest) -> HttpResponse:
    form = EmailSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(queries.emails(search=search), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "emails/list.html", {
        "form": form, "page": page, "search": search, "email_nav": "emails",
        "current_section": "email"})


@manage_email
def email_new(request: HttpRequest) -> HttpResponse:
    """POST: a blank email, or one from a built-in template (`template`) or a saved email or
    template (`source`); then the builder. GET: the gallery to choose from."""
    if request.method != "POST":
        return redirect("emails:templates")
    key, source = request.POST.get("template", ""), request.POST.get("source", "")
    if key:
        template = queries.library_template(key)
        if template is None:
            raise Http404
        email = designs.create_from_library(template, actor=request.user)
    elif source.isdigit():
        original = _email_or_404(int(source))
        email = designs.duplicate_email(original, actor=request.user, name=original.name)
    else:
        email = designs.create_email(actor=request.user, name=_("Untitled email"))
    return redirect(email)


@manage_email
@require_POST
def email_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    copy = designs.duplicate_email(_email_or_404(pk), actor=request.user)
    messages.success(request, _("“%(name)s” created.") % {"name": copy.name})
    return redirect(copy)


@manage_email
@require_POST
def email_delete(request: HttpRequest, pk: int) -> HttpResponse:
    email = _email_or_404(pk)
    designs.delete_email(email, actor=request.user)
    messages.success(request, _("“%(name)s” deleted.") % {"name": email.name})
    target = "emails:templates" if email.kind == Email.Kind.TEMPLATE else "emails:list"
    return redirect(target)


# --- the template gallery --------------------------------------------------------------

@manage_email
@require_GET
def template_gallery(request: HttpRequest) -> HttpResponse:
    return render(request, "emails/templates.html", {
        "library": queries.library_templates(), "saved": queries.saved_templates(),
        "recent": queries.emails()[:12], "email_nav": "templates",
        "current_section": "email"})


def _thumbnail(preview: dict) -> HttpResponse:
    response = HttpResponse(preview["html"], content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = THUMBNAIL_CSP
    response["Cache-Control"] = "private, max-age=300"
    return response


@xframe_options_sameorigin
@manage_email
@require_GET
def library_thumbnail(request: HttpRequest, key: str) -> HttpResponse:
    template = queries.library_template(key)
    if template is None:
        raise Http404
    return _thumbnail(rendering.render_preview(
        template.document, subject=template.subject, preheader=template.preheader))


@xframe_options_sameorigin
@manage_email
@require_GET
def email_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    email = _email_or_404(pk)
    return _thumbnail(rendering.render_preview(
        email.document, subject=email.subject, preheader=email.preheader))


# --- the builder -----------------------------------------------------------------------

def _email_state(email: Email) -> dict:
    return {"id": email.pk, "name": email.name, "subject": email.subject,
            "preheader": email.preheader, "document": email.document,
            "version": email.version, "kind": email.kind}


@manage_email
@require_GET
def email_builder(request: HttpRequest, pk: int) -> HttpResponse:
    email = _email_or_404(pk)
    urls = {name: reverse(f"emails:{name}", args=[email.pk])
            for name in ("save", "preview", "send_test", "save_as_template")}
    urls.update(assets=reverse("emails:assets"), upload=reverse("emails:asset_upload"))
    return render(request, "emails/builder.html", {
        "email": email, "state": _email_state(email), "urls": urls,
        "labels": block_labels(), "new_blocks": new_blocks(), "template_form": TemplateNameForm(
            initial={"name": email.name}),
        "contacts": queries.preview_contacts(request.user),
        "tokens": available_tokens(),
        "contact_picker_url": picker_url("contact", "contact_id"),
        "email_nav": "templates" if email.kind == Email.Kind.TEMPLATE else "emails",
        "current_section": "email"})


@manage_email
@require_POST
def email_save(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the builder's state; 409 with the stored email when someone saved in between,
    422 naming the block and field when the document is invalid."""
    email = _email_or_404(pk)
    body = _json_body(request)
    try:
        version = int(body.get("version"))
    except (TypeError, ValueError):
        return JsonResponse({"error": _("The save did not name the version it edited.")},
                            status=400)
    changes = {key: body[key] for key in ("name", "subject", "preheader", "document")
               if key in body and (key == "document" or isinstance(body[key], str))}
    try:
        saved = designs.save_email(email, actor=request.user, version=version, **changes)
    except designs.InvalidDocument as error:
        return JsonResponse({"error": error.message, "problems": error.problems}, status=422)
    except designs.VersionConflict as conflict:
        return JsonResponse({"error": str(conflict),
                             "current": _email_state(conflict.current)}, status=409)
    return JsonResponse({"version": saved.version,
                         "updated_at": saved.updated_at.isoformat()})


@manage_email
@require_POST
def email_preview(request: HttpRequest, pk: int) -> JsonResponse:
    """The live preview of the builder's current (unsaved) state, as a contact if chosen."""
    _email_or_404(pk)
    body = _json_body(request)
    try:
        document = designs.clean_document(body.get("document"))
    except designs.InvalidDocument as error:
        return JsonResponse({"error": error.message, "problems": error.problems}, status=422)
    contact = queries.preview_contact(request.user, body.get("contact_id"))
    preview = rendering.render_preview(
        document, subject=str(body.get("subject", "")),
        preheader=str(body.get("preheader", "")), contact=contact)
    return JsonResponse({key: preview.get(key) for key in
                         ("subject", "html", "text", "unknown_tokens", "errors")})


@manage_email
@require_POST
def email_send_test(request: HttpRequest, pk: int) -> JsonResponse:
    """Send the saved email to the signed-in user's own address, a few times an hour."""
    email = _email_or_404(pk)
    if not request.user.email:
        return JsonResponse({"error": _("Your account has no email address.")}, status=400)
    contact = queries.preview_contact(request.user, _json_body(request).get("contact_id"))
    try:
        services.send_test(email, to=request.user.email, as_contact=contact, actor=request.user)
    except services.TestSendLimited as error:
        return JsonResponse({"error": str(error)}, status=429,
                            headers={"Retry-After": str(error.retry_after)})
    except (services.TestSendError, DocumentError, PersonalizationError) as error:
        return JsonResponse({"error": str(error)}, status=400)
    except (OSError, SMTPException):
        logger.exception("Sending a test of email %s failed", email.pk)
        return JsonResponse({"error": _("The test could not be sent: the mail server did not "
                                        "accept it. Try again later.")}, status=502)
    return JsonResponse({"message": _("A test was sent to %(address)s.")
                         % {"address": request.user.email}})


@manage_email
@require_POST
def email_save_as_template(request: HttpRequest, pk: int) -> JsonResponse:
    email = _email_or_404(pk)
    form = TemplateNameForm(_json_body(request))
    if not form.is_valid():
        return JsonResponse({"error": _("Give the template a name.")}, status=422)
    template = designs.save_as_template(email, actor=request.user,
                                        name=form.cleaned_data["name"],
                                        category=form.cleaned_data["category"])
    return JsonResponse({"message": _("Saved as the template “%(name)s”.")
                         % {"name": template.name},
                         "url": template.get_absolute_url()}, status=201)


# --- the file library ------------------------------------------------------------------

@manage_email
@require_GET
def asset_list(request: HttpRequest) -> JsonResponse:
    page = Paginator(queries.assets(), PAGE_SIZE).get_page(request.GET.get("page"))
    return JsonResponse({"results": [assets.as_dict(asset) for asset in page],
                         "has_next": page.has_next()})


@manage_email
@require_POST
def asset_upload(request: HttpRequest) -> JsonResponse:
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return JsonResponse({"error": _("Choose an image to upload.")}, status=400)
    try:
        asset = assets.upload_image(actor=request.user, uploaded=uploaded)
    except assets.ImageRefused as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(assets.as_dict(asset), status=201)


def public_image(request: HttpRequest, path: str) -> FileResponse:
    """An image of the file library, for anyone holding its random address (email clients
    fetch it without signing in)."""
    asset = assets.asset_for_path(path)
    if asset is None:
        raise Http404
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = asset.content_type if asset.content_type in assets.CONTENT_TYPES else (
        "application/octet-stream")
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response

