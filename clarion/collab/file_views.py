"""Attachments: the Files panel (upload, attach a link), download, preview and delete.

Files are served only from here, after the same visibility check as the thing they are
attached to: always `X-Content-Type-Options: nosniff`, a content type from the upload's
sniffed type (never the uploader's), `Content-Disposition: attachment` for downloads, and a
`Content-Security-Policy: sandbox` on inline previews so nothing in a file can run.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from clarion.collab import panels, services, uploads
from clarion.collab.forms import LinkForm
from clarion.collab.models import Attachment, AttachmentKind
from clarion.collab.targets import find_target, is_admin, may_view

PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _back_to(target) -> str:
    return target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"


def _panel(request: HttpRequest, target, *, error: str = "", status: int = 200):
    return render(request, "collab/files_panel.html",
                  {"panel": {**panels.files_context(request, target), "error": error}},
                  status=status)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request: HttpRequest, target, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    if request.htmx:
        return _panel(request, target, error=message, status=status)
    messages.error(request, message)
    return redirect(_back_to(target))


def declared_too_large(request: HttpRequest) -> bool:
    """Refuse on the declared length, before the body is read at all."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > uploads.max_upload_bytes() + 64 * 1024


def too_large_message() -> str:
    return _("The file is too large: files may be up to %(limit)s MB.") % {
        "limit": uploads.max_upload_bytes() // (1024 * 1024)}


@csrf_exempt  # checked by `_files` once the size limit is in place
def files(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    """GET: the Files panel. POST: upload `file` (XMLHttpRequest or a plain form) or attach
    a link (`url`, `title`). An upload's size is limited before its body is read."""
    if request.method == "POST":
        uploads.limit_upload_size(request)
    return _files(request, type_name, pk)


@csrf_protect
@login_required
def _files(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    target_type, target = find_target(request.user, type_name, pk)
    if request.method != "POST":
        return _panel(request, target)
    if not target_type.can_add(request.user, target):
        raise PermissionDenied
    if declared_too_large(request):
        return _refuse(request, target, too_large_message(), 413)
    request.POST  # noqa: B018  parse the body now, through the size-limiting handler
    if request.upload_too_large:
        return _refuse(request, target, too_large_message(), 413)
    try:
        attachment = _attach(request, target)
    except (uploads.UploadRefused, services.InvalidInput) as error:
        return _refuse(request, target, str(error), 400)
    if _wants_json(request):
        return JsonResponse({"id": attachment.pk, "name": attachment.name}, status=201)
    if request.htmx:
        return _panel(request, target)
    messages.success(request, _("“%(name)s” attached.") % {"name": attachment.name})
    return redirect(_back_to(target))


def _attach(request: HttpRequest, target) -> Attachment:
    uploaded = request.FILES.get("file")
    if uploaded is not None:
        return services.attach_file(actor=request.user, target=target, uploaded=uploaded)
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise services.InvalidInput("url", _("Choose a file or enter a web address."))
    return services.attach_link(actor=request.user, target=target,
                                url=form.cleaned_data["url"], title=form.cleaned_data["title"])


def visible_attachment(user, pk: int) -> Attachment:
    """The attachment if its user may see what it is attached to; 404 otherwise."""
    attachment = get_object_or_404(Attachment.objects.select_related("target_type"), pk=pk)
    if not may_view(user, attachment.target):
        raise Http404
    return attachment


def file_response(attachment: Attachment, *, inline: bool = False) -> FileResponse:
    if attachment.kind != AttachmentKind.FILE or not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.name,
                            content_type=uploads.served_type(attachment.content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    return file_response(visible_attachment(request.user, pk))


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Images and PDFs inline, sandboxed; anything else is not previewable."""
    attachment = visible_attachment(request.user, pk)
    if not (attachment.is_image or attachment.is_pdf):
        raise Http404
    return file_response(attachment, inline=True)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = visible_attachment(request.user, pk)
    if attachment.uploaded_by_id != request.user.pk and not is_admin(request.user):
        raise PermissionDenied
    target = attachment.target
    services.delete_attachment(attachment, actor=request.user)
    if request.htmx:
        return _panel(request, target)
    messages.success(request, _("“%(name)s” removed.") % {"name": attachment.name})
    return redirect(_back_to(target))
