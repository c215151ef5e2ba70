from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from clarion.core.forms import DesignDemoForm
from clarion.core.health import run_checks
from clarion.core.sections import SECTIONS, SECTIONS_BY_SLUG


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"sections": SECTIONS})


@login_required
def section(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in SECTIONS_BY_SLUG:
        raise Http404
    return render(request, "core/section.html", {"section": SECTIONS_BY_SLUG[slug]})


@login_required
def design(request: HttpRequest) -> HttpResponse:
    """The design system's living reference, for the people who build Clarion's pages."""
    if not request.user.is_staff:
        raise PermissionDenied
    return render(request, "core/design.html", {"form": DesignDemoForm.with_errors()})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    # The worker and scheduler may legitimately be elsewhere; only core dependencies gate 503.
    healthy = all(checks[name]["ok"] for name in ("database", "cache", "task_queue"))
    body = {"status": "ok" if healthy else "error", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)
