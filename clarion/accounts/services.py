"""Every write to accounts: sign-in steps, profiles, two-factor, users, invitations, teams, roles.

Functions take keyword arguments only and raise `AccountError` with a message a person can act
on; views show that message as it is.
"""

import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clarion.accounts import throttle, two_factor
from clarion.accounts.models import Invitation, RecoveryCode, Role, Team, User, hash_secret
from clarion.accounts.queries import INVITATION_VALID_FOR, pending_invitations
from clarion.accounts.throttle import Reason
from clarion.core.capabilities import CAPABILITIES, DEFAULT_ROLE_DESCRIPTIONS, DEFAULT_ROLES
from clarion.core.events import emit

logger = logging.getLogger(__name__)


class AccountError(Exception):
    """A request the accounts domain refuses, with a message for the person who made it."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class SignInRefused(AccountError):
    pass


class InvitationNotSent(AccountError):
    """The invitation is saved, but its email could not be handed to the mail server."""


# --- Users ----------------------------------------------------------------------------------


def ensure_default_roles() -> dict[str, Role]:
    """Create the shipped roles that are missing; existing roles keep their edits."""
    roles = {}
    for name, capabilities in DEFAULT_ROLES.items():
        roles[name], _created = Role.objects.get_or_create(
            name=name, defaults={"capabilities": capabilities,
                                 "description": DEFAULT_ROLE_DESCRIPTIONS[name]})
    return roles


@transaction.atomic
def create_user(*, email: str, password: str | None, first_name: str = "", last_name: str = "",
                role: Role | None = None, teams: Iterable[Team] = (),
                is_admin: bool = False) -> User:
    user = User.objects.create_user(email=email, password=password, first_name=first_name,
                                    last_name=last_name, role=role, is_staff=is_admin,
                                    is_superuser=is_admin)
    user.teams.set(teams)
    return user


@transaction.atomic
def update_user(*, actor: User, user: User, role: Role | None, teams: Iterable[Team],
                is_active: bool) -> User:
    """Change someone's role, teams and whether they may sign in."""
    if user.pk == actor.pk and not is_active:
        raise AccountError(_("You can't deactivate your own account."))
    if user.pk == actor.pk and role != user.role and not user.is_superuser:
        raise AccountError(_("You can't change your own role; ask another administrator."))
    user.role = role
    user.is_active = is_active
    user.save(update_fields=["role", "is_active"])
    user.teams.set(teams)
    return user


@transaction.atomic
def update_profile(*, user: User, first_name: str, last_name: str, language: str) -> User:
    if language and language not in dict(settings.LANGUAGES):
        raise AccountError(_("Choose one of the offered languages."))
    user.first_name, user.last_name, user.language = first_name, last_name, language
    user.save(update_fields=["first_name", "last_name", "language"])
    return user


@transaction.atomic
def change_password(*, user: User, password: str) -> User:
    """Set a new password (already validated by the form that asked for it)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- Signing in -----------------------------------------------------------------------------


def _refuse_if_throttled(*, email: str, ip: str | None) -> None:
    seconds = throttle.seconds_locked(email=email, ip=ip)
    if not seconds:
        return
    throttle.record_attempt(email=email, ip=ip, reason=Reason.THROTTLED)
    minutes = throttle.minutes_to_wait(seconds)
    raise SignInRefused(ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes) % {"minutes": minutes})


def check_password_step(*, email: str, password: str, ip: str | None) -> User:
    """First step of signing in. Returns the user whose password matched; the sign-in is
    complete (and logged as a success) unless the user has two-factor authentication on."""
    email = email.strip().lower()
    _refuse_if_throttled(email=email, ip=ip)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        User().set_password(password)  # spend the hashing time a real user would cost
        throttle.record_attempt(email=email, ip=ip, reason=Reason.UNKNOWN_EMAIL)
        raise SignInRefused(_("The email address or password is not correct."))
    if not user.check_password(password):
        throttle.record_attempt(email=email, ip=ip, reason=Reason.BAD_PASSWORD)
        raise SignInRefused(_("The email address or password is not correct."))
    if not user.is_active:
        throttle.record_attempt(email=email, ip=ip, reason=Reason.INACTIVE)
        raise SignInRefused(_("This account has been deactivated. Ask an administrator to "
                              "reactivate it."))
    if not user.totp_enabled:
        throttle.record_attempt(email=email, ip=ip, reason=Reason.SUCCESS)
    return user


def check_code_step(*, user: User, code: str, ip: str | None) -> User:
    """Second step of signing in: a current authenticator code or an unused recovery code."""
    _refuse_if_throttled(email=user.email, ip=ip)
    user.refresh_from_db()
    if not user.is_active:
        throttle.record_attempt(email=user.email, ip=ip, reason=Reason.INACTIVE)
        raise SignInRefused(_("This account has been deactivated. Ask an administrator to "
                              "reactivate it."))
    try:
        use_second_factor(user=user, code=code)
    except AccountError:
        throttle.record_attempt(email=user.email, ip=ip, reason=Reason.BAD_TOTP)
        raise
    throttle.record_attempt(email=user.email, ip=ip, reason=Reason.SUCCESS)
    return user


def use_second_factor(*, user: User, code: str) -> None:
    """Accept `code` once: a TOTP step can't be replayed and a recovery code is spent."""
    code = "".join(code.split())
    if two_factor.is_totp_code(code):
        _use_totp_code(user=user, code=code)
    else:
        _use_recovery_code(user=user, code=code)


def _use_totp_code(*, user: User, code: str) -> None:
    step = two_factor.matching_step(secret=user.totp_secret, code=code)
    if step is None:
        if two_factor.is_expired_code(secret=user.totp_secret, code=code):
            raise SignInRefused(_("That code has expired. Enter the code your app shows now."))
        raise SignInRefused(_("That code is not correct. Check the time on your phone and "
                              "enter the code your authenticator app shows."))
    # Conditional update: two requests racing with the same code can't both win.
    claimed = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(
        totp_last_step=step)
    if not claimed:
        raise SignInRefused(_("That code has already been used. Wait for the next code and "
                              "enter it."))
    user.totp_last_step = step


def _use_recovery_code(*, user: User, code: str) -> None:
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=two_factor.hash_recovery_code(code), used_at__isnull=True,
    ).update(used_at=timezone.now())
    if not spent:
        raise SignInRefused(_("That recovery code is not correct or has already been used."))


# --- Two-factor set-up ----------------------------------------------------------------------


def _replace_recovery_codes(user: User) -> list[str]:
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=two_factor.hash_recovery_code(code))
        for code in codes)
    return codes


@transaction.atomic
def enable_two_factor(*, user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP once the user proves their app holds `secret`; returns the recovery codes,
    which are never shown again."""
    step = two_factor.matching_step(secret=secret, code="".join(code.split()))
    if step is None:
        raise AccountError(_("That code is not correct. Scan the QR code again and enter the "
                             "code your app shows."))
    user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    return _replace_recovery_codes(user)


@transaction.atomic
def regenerate_recovery_codes(*, user: User, password: str) -> list[str]:
    """New recovery codes; the old ones stop working. Asks for the password, as turning
    two-factor off does: someone at an unlocked session mustn't walk away with the codes."""
    if not user.totp_enabled:
        raise AccountError(_("Turn on two-factor authentication first."))
    if not user.check_password(password):
        raise AccountError(_("The password is not correct."))
    return _replace_recovery_codes(user)


@transaction.atomic
def disable_two_factor(*, user: User, password: str) -> User:
    if not user.check_password(password):
        raise AccountError(_("The password is not correct."))
    _clear_two_factor(user)
    return user


def _clear_two_factor(user: User) -> None:
    user.totp_secret, user.totp_enabled, user.totp_last_step = "", False, 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    RecoveryCode.objects.filter(user=user).delete()


def reset_two_factor(*, actor: User, user: User) -> bool:
    """Turn off someone else's two-factor authentication (they lost their phone and their
    recovery codes). Logged, recorded as a `user.two_factor_reset` event, and the person is
    told by email. Returns whether the email could be handed to the mail server."""
    if user.pk == actor.pk:
        raise AccountError(_("Turn off your own two-factor authentication on your security "
                             "page, with your password."))
    if not user.totp_enabled:
        raise AccountError(_("%(name)s doesn't have two-factor authentication on.")
                           % {"name": user})
    with transaction.atomic():
        _clear_two_factor(user)
        emit("user.two_factor_reset", subject=user, actor=actor)
    logger.warning("Two-factor authentication of %s reset by %s", user.email, actor.email)
    return _send_two_factor_reset_notice(user=user, actor=actor)


def _send_two_factor_reset_notice(*, user: User, actor: User) -> bool:
    context = {"user": user, "actor": actor, "url": f"{settings.SITE_URL}/settings/security/"}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = "".join(render_to_string("accounts/email/two_factor_reset_subject.txt",
                                           context).splitlines())
        message = EmailMultiAlternatives(
            subject, render_to_string("accounts/email/two_factor_reset.txt", context),
            to=[user.email])
        message.attach_alternative(
            render_to_string("accounts/email/two_factor_reset.html", context), "text/html")
    try:
        message.send()
    except Exception:  # any mail server or network failure; the reset itself stands
        logger.exception("Could not send the two-factor reset notice to %s", user.email)
        return False
    return True


# --- Invitations ----------------------------------------------------------------------------


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}/accounts/invite/{token}/"


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {"invitation": invitation, "url": invitation_url(token),
               "inviter": invitation.invited_by, "valid_days": INVITATION_VALID_FOR.days}
    subject = "".join(render_to_string("accounts/email/invitation_subject.txt",
                                       context).splitlines())
    message = EmailMultiAlternatives(
        subject, render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email])
    message.attach_alternative(render_to_string("accounts/email/invitation.html", context),
                               "text/html")
    try:
        message.send()
    except Exception as error:  # any mail server or network failure
        logger.exception("Could not send the invitation email to %s", invitation.email)
        raise InvitationNotSent(_(
            "The invitation to %(email)s is saved, but its email could not be sent. Check the "
            "mail settings, then resend it.") % {"email": invitation.email}) from error


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_secret(token)
    invitation.created_at = timezone.now()
    return token


def invite_user(*, actor: User, email: str, role: Role | None,
                teams: Iterable[Team]) -> Invitation:
    """Invite `email` to join with `role` and `teams`; the emailed link is valid for 7 days."""
    email = email.strip().lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise AccountError(_("%(email)s already has an account.") % {"email": email})
        if pending_invitations().filter(email__iexact=email).exists():
            raise AccountError(_("%(email)s already has a pending invitation; resend it "
                                 "instead.") % {"email": email})
        invitation = Invitation(email=email, role=role, invited_by=actor)
        token = _new_token(invitation)
        invitation.save()
        invitation.teams.set(teams)
    _send_invitation(invitation, token)
    return invitation


def resend_invitation(*, invitation: Invitation) -> Invitation:
    """Email a fresh link (valid for another 7 days); the previous link stops working."""
    with transaction.atomic():
        if invitation.accepted_at:
            raise AccountError(_("This invitation has already been accepted."))
        token = _new_token(invitation)
        invitation.save(update_fields=["token_hash", "created_at"])
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise AccountError(_("This invitation has already been accepted."))
    invitation.delete()


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation behind `token`, or AccountError saying why it can't be used."""
    invitation = Invitation.objects.filter(token_hash=hash_secret(token)).first()
    if invitation is None:
        raise AccountError(_("This invitation link is not valid. It may have been revoked or "
                             "replaced by a newer one."))
    if invitation.accepted_at:
        raise AccountError(_("This invitation has already been used. Sign in instead."))
    if invitation.created_at < timezone.now() - INVITATION_VALID_FOR:
        raise AccountError(_("This invitation has expired. Ask for a new one."))
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """Create the invited person's account, once; the invitation can't be used again."""
    invitation = invitation_for_token(token)
    # Lock the row so two submissions of the same link can't both create a user.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise AccountError(_("This invitation has already been used. Sign in instead."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AccountError(_("%(email)s already has an account. Sign in instead.")
                           % {"email": invitation.email})
    user = create_user(email=invitation.email, password=password, first_name=first_name,
                       last_name=last_name, role=invitation.role, teams=invitation.teams.all())
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


# --- Teams ----------------------------------------------------------------------------------


@transaction.atomic
def create_team(*, name: str, members: Iterable[User] = ()) -> Team:
    team = Team.objects.create(name=name.strip())
    team.members.set(members)
    return team


@transaction.atomic
def update_team(*, team: Team, name: str, members: Iterable[User]) -> Team:
    """Rename the team and set its active members. Deactivated members stay: the form can't
    offer them, and reactivating someone should give them their teams back."""
    team.name = name.strip()
    team.save(update_fields=["name"])
    inactive = list(team.members.filter(is_active=False))
    team.members.set([*members, *inactive])
    return team


@transaction.atomic
def delete_team(*, team: Team) -> None:
    """Delete the team; its members stay, without it."""
    team.delete()


# --- Roles ----------------------------------------------------------------------------------


def _check_capabilities(capabilities: Iterable[str]) -> list[str]:
    unknown = sorted(set(capabilities) - set(CAPABILITIES))
    if unknown:
        raise AccountError(_("Unknown capabilities: %(names)s") % {"names": ", ".join(unknown)})
    return [name for name in CAPABILITIES if name in set(capabilities)]


@transaction.atomic
def create_role(*, name: str, description: str = "", capabilities: Iterable[str]) -> Role:
    return Role.objects.create(name=name.strip(), description=description.strip(),
                               capabilities=_check_capabilities(capabilities))


@transaction.atomic
def update_role(*, actor: User, role: Role, name: str, description: str,
                capabilities: Iterable[str]) -> Role:
    capabilities = _check_capabilities(capabilities)
    if (actor.role_id == role.pk and not actor.is_superuser
            and "users.manage" not in capabilities):
        raise AccountError(_("You can't remove “Invite users and manage teams and roles” from "
                             "your own role; ask another administrator."))
    role.name, role.description = name.strip(), description.strip()
    role.capabilities = capabilities
    role.save(update_fields=["name", "description", "capabilities"])
    return role


@transaction.atomic
def delete_role(*, role: Role) -> None:
    """Delete a role nobody holds."""
    if role.users.exists():
        raise AccountError(_("“%(role)s” still has users. Give them another role first.")
                           % {"role": role.display_name})
    role.delete()
