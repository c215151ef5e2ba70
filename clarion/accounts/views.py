"""Pages for people who aren't signed in yet: sign-in (with its two-factor step), password
reset and accepting an invitation."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clarion.accounts import services
from clarion.accounts.forms import AcceptInvitationForm, SignInCodeForm, SignInForm
from clarion.accounts.models import User
from clarion.core.http import client_ip

PENDING_SIGN_IN = "accounts.pending_sign_in"
PENDING_SIGN_IN_SECONDS = 5 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return candidate if allowed else ""


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Make LocaleMiddleware use `language` from the next request on."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


def _complete_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    login(request, user, backend=MODEL_BACKEND)
    response = redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return remember_language(response, user.language)


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    form = SignInForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = services.check_password_step(email=form.cleaned_data["username"],
                                                password=form.cleaned_data["password"],
                                                ip=client_ip(request))
        except services.SignInRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if not user.totp_enabled:
                return _complete_sign_in(request, user, next_url)
            request.session[PENDING_SIGN_IN] = {"user_id": user.pk, "at": time.time(),
                                                "next": next_url}
            return redirect("accounts:login_code")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(PENDING_SIGN_IN) or {}
    if time.time() - pending.get("at", 0) > PENDING_SIGN_IN_SECONDS:
        return None, ""
    user = User.objects.filter(pk=pending.get("user_id"), totp_enabled=True).first()
    return user, pending.get("next", "")


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second sign-in step, for people with two-factor authentication on."""
    user, next_url = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_SIGN_IN, None)
        messages.error(request, _("Your sign-in took too long or has ended. Sign in again."))
        return redirect("accounts:login")
    form = SignInCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.check_code_step(user=user, code=form.cleaned_data["code"],
                                     ip=client_ip(request))
        except services.AccountError as refusal:
            form.add_error("code", refusal.message)
        else:
            request.session.pop(PENDING_SIGN_IN, None)
            return _complete_sign_in(request, user, next_url)
    return render(request, "accounts/login_code.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict:
        return {"site_url": settings.SITE_URL}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_not_required
@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.AccountError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error.message},
                      status=410)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None,
                                email=invitation.email)
    if form.is_valid():
        try:
            user = services.accept_invitation(
                token=token, first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"])
        except services.AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Welcome to Clarion!"))
            return _complete_sign_in(request, user, "")
    return render(request, "accounts/accept_invitation.html",
                  {"form": form, "invitation": invitation})
