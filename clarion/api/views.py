"""API key pages under /settings/api-keys/: list, create (the secret shown once), revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clarion.api import queries, services
from clarion.api.forms import APIKeyForm
from clarion.core.permissions import capability_required

manage_api_keys = capability_required("api.manage")


@manage_api_keys
def key_list(request: HttpRequest) -> HttpResponse:
    form = APIKeyForm(user=request.user)
    return render(request, "api/key_list.html",
                  {"keys": queries.keys_of(request.user), "form": form})


@never_cache
@manage_api_keys
@require_http_methods(["GET", "POST"])
def key_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # the form lives on the list page
        return redirect(reverse("api_keys:list") + "#new-key-title")
    form = APIKeyForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "api/key_list.html",
                      {"keys": queries.keys_of(request.user), "form": form}, status=422)
    key, secret = services.create_api_key(user=request.user, name=form.cleaned_data["name"],
                                          scopes=form.cleaned_data["scopes"])
    # Rendered, not redirected: the secret must not travel through the session or a URL.
    return render(request, "api/key_created.html", {"key": key, "secret": secret})


@manage_api_keys
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(queries.keys_of(request.user), pk=pk)
    services.revoke_api_key(key=key)
    messages.success(request, _("The key “%(name)s” was revoked.") % {"name": key.name})
    return redirect("api_keys:list")
