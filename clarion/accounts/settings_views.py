"""Settings pages: your own profile and security, and (with `users.manage`) people, invitations,
teams, roles and the sign-in log."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clarion.accounts import queries, services, two_factor
from clarion.accounts.forms import (
    ChangePasswordForm,
    EnableTwoFactorForm,
    InviteForm,
    PasswordConfirmForm,
    ProfileForm,
    RoleForm,
    SignInLogFilterForm,
    TeamForm,
    UserAdminForm,
)
from clarion.accounts.models import Invitation, Role, Team, User
from clarion.accounts.views import remember_language
from clarion.core.permissions import capability_required

TOTP_SETUP_SECRET = "accounts.totp_setup_secret"
manage_users = capability_required("users.manage")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("settings:security")


# --- Profile and security -------------------------------------------------------------------


def _render_security(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    context = {
        "profile_form": forms.get("profile_form") or ProfileForm(initial={
            "first_name": user.first_name, "last_name": user.last_name,
            "language": user.language}),
        "password_form": forms.get("password_form") or ChangePasswordForm(user),
    }
    if user.totp_enabled:
        context["disable_form"] = forms.get("disable_form") or PasswordConfirmForm(
            prefix="disable")
        context["recovery_form"] = forms.get("recovery_form") or PasswordConfirmForm(
            prefix="recovery")
        context["recovery_codes_left"] = user.recovery_codes.filter(used_at__isnull=True).count()
    else:
        secret = request.session.setdefault(TOTP_SETUP_SECRET, two_factor.new_secret())
        uri = two_factor.provisioning_uri(secret=secret, email=user.email)
        context["totp_secret_groups"] = [secret[i:i + 4] for i in range(0, len(secret), 4)]
        context["qr_svg"] = two_factor.qr_code_svg(
            uri=uri, title=_("QR code to add Clarion to your authenticator app"),
            description=_("Scan it with your authenticator app, or type the setup key shown "
                          "below into the app instead."))
        context["enable_form"] = forms.get("enable_form") or EnableTwoFactorForm()
    return render(request, "settings/security.html", context, status=status)


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return _render_security(request)


@login_required
@require_POST
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _render_security(request, status=400, profile_form=form)
    user = services.update_profile(user=request.user, **form.cleaned_data)
    messages.success(request, _("Your profile has been saved."))
    return remember_language(redirect("settings:security"), user.language)


@login_required
@sensitive_post_parameters()
@require_POST
def password(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST)
    if not form.is_valid():
        return _render_security(request, status=400, password_form=form)
    services.change_password(user=request.user, password=form.cleaned_data["new_password1"])
    update_session_auth_hash(request, request.user)
    messages.success(request, _("Your password has been changed."))
    return redirect("settings:security")


@login_required
@never_cache
@require_POST
def two_factor_enable(request: HttpRequest) -> HttpResponse:
    form = EnableTwoFactorForm(request.POST)
    secret = request.session.get(TOTP_SETUP_SECRET)
    if request.user.totp_enabled or not secret:
        return redirect("settings:security")
    if form.is_valid():
        try:
            codes = services.enable_two_factor(user=request.user, secret=secret,
                                               code=form.cleaned_data["code"])
        except services.AccountError as error:
            form.add_error("code", error.message)
        else:
            request.session.pop(TOTP_SETUP_SECRET, None)
            messages.success(request, _("Two-factor authentication is on."))
            return render(request, "settings/recovery_codes.html", {"codes": codes})
    return _render_security(request, status=400, enable_form=form)


@login_required
@never_cache
@sensitive_post_parameters()
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.totp_enabled:
        return redirect("settings:security")
    form = PasswordConfirmForm(request.POST, prefix="recovery")
    if form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(user=request.user,
                                                       password=form.cleaned_data["password"])
        except services.AccountError as error:
            form.add_error("password", error.message)
        else:
            messages.success(request, _("New recovery codes made; the old ones no longer work."))
            return render(request, "settings/recovery_codes.html", {"codes": codes})
    return _render_security(request, status=400, recovery_form=form)


@login_required
@sensitive_post_parameters()
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            services.disable_two_factor(user=request.user, password=form.cleaned_data["password"])
        except services.AccountError as error:
            form.add_error("password", error.message)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("settings:security")
    return _render_security(request, status=400, disable_form=form)


# --- People ---------------------------------------------------------------------------------


@manage_users
def users(request: HttpRequest) -> HttpResponse:
    return render(request, "settings/users.html", {
        "users": queries.users_for_admin(),
        "invitations": queries.pending_invitations_for_admin(),
    })


@manage_users
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = UserAdminForm(request.POST if request.method == "POST" else None, initial={
        "role": person.role, "teams": list(person.teams.all()), "is_active": person.is_active})
    if form.is_valid():
        try:
            services.update_user(actor=request.user, user=person, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s has been updated.") % {"name": person})
            return redirect("settings:users")
    return render(request, "settings/user_edit.html", {"person": person, "form": form})


@manage_users
@require_POST
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    try:
        notified = services.reset_two_factor(actor=request.user, user=person)
    except services.AccountError as error:
        messages.error(request, error.message)
        return redirect("settings:user_edit", pk=person.pk)
    messages.success(request, _("Two-factor authentication is off for %(name)s.")
                     % {"name": person})
    if not notified:
        messages.warning(request, _("The email telling %(email)s could not be sent; tell them "
                                    "yourself.") % {"email": person.email})
    return redirect("settings:user_edit", pk=person.pk)


@manage_users
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            invitation = services.invite_user(actor=request.user, **form.cleaned_data)
        except services.InvitationNotSent as error:
            messages.error(request, error.message)
            return redirect("settings:users")
        except services.AccountError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.")
                             % {"email": invitation.email})
            return redirect("settings:users")
    return render(request, "settings/invite.html", {"form": form})


@manage_users
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.resend_invitation(invitation=invitation)
    except services.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invitation sent again to %(email)s.")
                         % {"email": invitation.email})
    return redirect("settings:users")


@manage_users
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.revoke_invitation(invitation=invitation)
    except services.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation to %(email)s has been revoked.")
                         % {"email": invitation.email})
    return redirect("settings:users")


@manage_users
def sign_in_log(request: HttpRequest) -> HttpResponse:
    form = SignInLogFilterForm(request.GET)
    email = form.cleaned_data["email"] if form.is_valid() else ""
    return render(request, "settings/sign_in_log.html", {
        "form": form, "attempts": queries.sign_in_log(email=email), "email": email,
        "limit": queries.SIGN_IN_LOG_LIMIT})


# --- Teams ----------------------------------------------------------------------------------


@manage_users
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST if request.method == "POST" else None, prefix="new")
    if form.is_valid():
        team = services.create_team(name=form.cleaned_data["name"],
                                    members=form.cleaned_data["members"])
        messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
        return redirect("settings:teams")
    return render(request, "settings/teams.html", {
        "teams": queries.teams_with_member_counts(), "form": form},
        status=400 if form.is_bound else 200)


@manage_users
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST if request.method == "POST" else None, instance=team)
    if form.is_valid():
        services.update_team(team=team, name=form.cleaned_data["name"],
                             members=form.cleaned_data["members"])
        messages.success(request, _("Team “%(name)s” saved.") % {"name": team.name})
        return redirect("settings:teams")
    return render(request, "settings/team_edit.html", {"team": team, "form": form})


@manage_users
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    services.delete_team(team=team)
    messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
    return redirect("settings:teams")


# --- Roles ----------------------------------------------------------------------------------


@manage_users
def roles(request: HttpRequest) -> HttpResponse:
    return render(request, "settings/roles.html", {"roles": queries.roles_with_user_counts()})


def _save_role(request: HttpRequest, role: Role | None) -> HttpResponse:
    form = RoleForm(request.POST if request.method == "POST" else None, instance=role)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("name", "description",
                                                             "capabilities")}
        try:
            if role is None:
                saved = services.create_role(**fields)
            else:
                saved = services.update_role(actor=request.user, role=role, **fields)
        except services.AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Role “%(name)s” saved.") % {"name": saved.display_name})
            return redirect("settings:roles")
    return render(request, "settings/role_edit.html", {"role": role, "form": form})


@manage_users
def role_create(request: HttpRequest) -> HttpResponse:
    return _save_role(request, None)


@manage_users
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_role(request, get_object_or_404(Role, pk=pk))


@manage_users
@require_POST
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk)
    try:
        services.delete_role(role=role)
    except services.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role “%(name)s” deleted.") % {"name": role.display_name})
    return redirect("settings:roles")
