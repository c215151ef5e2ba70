"""The public tracking endpoints: the open pixel, the click redirect and the inbound email
endpoint. Sync and lean — no session, no template — since every recipient's mail client
calls them; each is rate-limited per address."""

import base64

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clarion.core.http import client_ip
from clarion.core.permissions import capability_required
from clarion.core.ratelimit import over_limit
from clarion.sending.tokens import message_pk_from_token
from clarion.tracking import detection, queries, services
from clarion.tracking.inbound import process_raw_email
from clarion.tracking.models import Notice

# A 1×1 transparent GIF (42 bytes).
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = "no-store, no-cache, must-revalidate, private, max-age=0"
INBOUND_SECRET_HEADER = "HTTP_X_CLARION_INBOUND_SECRET"


def _rate_limited(request: HttpRequest) -> int | None:
    """Seconds to wait when this address went over its limit, else None."""
    return over_limit(f"tracking:{client_ip(request) or '-'}",
                      settings.CLARION_TRACKING_RATE_LIMIT)


def _tracked_request(request: HttpRequest) -> detection.Request:
    return detection.Request(user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
                             ip=client_ip(request), method=request.method or "GET")


@login_not_required
@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """Always the GIF, whatever the token, so the answer tells nothing; an open is recorded
    only for a genuine token of a sent message."""
    pk = message_pk_from_token(token)
    if pk is not None and _rate_limited(request) is None:
        services.record_open(pk, _tracked_request(request))
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = NO_STORE
    response["Pragma"] = "no-cache"
    return response


@login_not_required
@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str, link: int) -> HttpResponse:
    """Redirect to link `link` of the message's email, and nowhere else."""
    pk = message_pk_from_token(token)
    if pk is None:
        raise Http404
    wait = _rate_limited(request)
    if wait is not None:
        return HttpResponse(status=429, headers={"Retry-After": str(wait)})
    url = services.record_click(pk, link, _tracked_request(request))
    if url is None:
        raise Http404
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = NO_STORE
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
@login_not_required
@require_POST
def inbound_email(request: HttpRequest) -> HttpResponse:
    """A raw RFC 5322 email posted by the mail server (bounces, complaints, unsubscribe
    mails), authorised by CLARION_INBOUND_SECRET in the X-Clarion-Inbound-Secret header or
    the `secret` query parameter. Disabled while no secret is configured."""
    secret = settings.CLARION_INBOUND_SECRET
    given = request.META.get(INBOUND_SECRET_HEADER) or request.GET.get("secret", "")
    if not secret or not given or not constant_time_compare(given, secret):
        return HttpResponseForbidden("Wrong or missing inbound secret.")
    if request.content_type == "multipart/form-data":  # a form post with an "email" file
        upload = request.FILES.get("email")
        raw = upload.read() if upload else request.POST.get("email", "").encode()
    else:
        raw = request.body
    if not raw.strip():
        return JsonResponse({"error": "empty body: post the raw email"}, status=400)
    notice = process_raw_email(raw, source=Notice.Source.INBOUND)
    if notice is None:
        return JsonResponse({"outcome": "duplicate"})
    return JsonResponse({"outcome": notice.kind, "matched": notice.message_id is not None})


# --- Email → Delivery reports (people with marketing.manage) --------------------------------

REPORTS_PER_PAGE = 50


@capability_required("marketing.manage")
def delivery_report_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Notice.Kind.values else ""
    search = request.GET.get("q", "").strip()[:254]
    page = Paginator(queries.delivery_reports(kind=kind, search=search),
                     REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "tracking/delivery_reports.html", {
        "page": page, "kind": kind, "search": search, "kinds": Notice.Kind.choices,
        "current_section": "email"})


@capability_required("marketing.manage")
def delivery_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("message__send"), pk=pk)
    return render(request, "tracking/delivery_report.html", {
        "notice": notice, "current_section": "email"})
