"""Guest collaborators: people from outside the company given access to specific records or
tasks, and the audit log of what they open.

`core.permissions` asks `granted_ids` (registered in AccountsConfig.ready) which rows a guest
may see, so every list, search, API read and page applies the same rule.
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from clarion.accounts.models import AuditEntry, GuestGrant, User
from clarion.core.events import emit

logger = logging.getLogger(__name__)


class GuestAccessError(Exception):
    """A sharing request refused, with a message for the person who made it."""

    @property
    def message(self) -> str:
        return str(self.args[0])


# --- Reads ----------------------------------------------------------------------------------


def granted_ids(user, model: type[models.Model]) -> QuerySet:
    """The ids of `model` rows shared with `user` and not revoked (a subquery)."""
    return GuestGrant.objects.filter(
        user_id=user.pk, target_type=ContentType.objects.get_for_model(model),
        revoked_at__isnull=True).values("target_id")


def active_grants(user) -> QuerySet[GuestGrant]:
    return (GuestGrant.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("target_type", "granted_by"))


def grants_on(target: models.Model) -> QuerySet[GuestGrant]:
    """Who has guest access to `target` now."""
    return (GuestGrant.objects.filter(target_type=ContentType.objects.get_for_model(target),
                                      target_id=target.pk, revoked_at__isnull=True)
            .select_related("user", "granted_by").order_by("user__email"))


# --- Audit ----------------------------------------------------------------------------------


def record_audit(*, actor, action: str, target: models.Model | None = None, path: str = "",
                 ip: str | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None, action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None, path=path[:500], ip=ip)


# --- Sharing --------------------------------------------------------------------------------


def _guest_for(email: str, *, first_name: str = "") -> tuple[User, bool]:
    """The guest account of `email`, created (without a password) if needed."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_guest:
            raise GuestAccessError(_("%(email)s is a member of this workspace, not a guest; "
                                     "they see records through their role.")
                                   % {"email": email})
        return existing, False
    guest = User.objects.create_user(email=email, password=None, first_name=first_name,
                                     is_guest=True)
    return guest, True


def share_with_guest(*, actor: User, target: models.Model, email: str,
                     first_name: str = "") -> GuestGrant:
    """Give the guest `email` access to `target` (a contact, company, deal or task) and email
    them the link; creates their guest account on first use. The caller checks that the
    actor may edit `target`; a guest can never share."""
    from clarion.core.permissions import is_guest

    if is_guest(actor):
        raise GuestAccessError(_("Guests can't share records."))
    email = email.strip().lower()
    with transaction.atomic():
        guest, created = _guest_for(email, first_name=first_name.strip())
        existing = grants_on(target).filter(user=guest).first()
        if existing is not None:
            raise GuestAccessError(_("%(email)s already has access.") % {"email": email})
        try:
            with transaction.atomic():
                grant = GuestGrant.objects.create(
                    user=guest, granted_by=actor,
                    target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        except IntegrityError:
            raise GuestAccessError(_("%(email)s already has access.") % {"email": email}) \
                from None
        record_audit(actor=actor, action=AuditEntry.Action.GRANTED, target=target)
        emit("guest.shared", subject=target, actor=actor,
             contact_id=target.pk if target._meta.model_name == "contact" else None,
             data={"guest": email})
    transaction.on_commit(lambda: send_guest_invitation(grant=grant, new_account=created),
                          robust=True)
    return grant


def revoke_guest_access(*, actor: User, grant: GuestGrant) -> GuestGrant:
    """End a guest's access to one record at once (their next request is refused). The
    caller checks that the actor may edit the record."""
    target = grant.target
    with transaction.atomic():
        updated = GuestGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if updated:
            record_audit(actor=actor, action=AuditEntry.Action.REVOKED, target=target)
            if target is not None:
                emit("guest.revoked", subject=target, actor=actor,
                     contact_id=target.pk if target._meta.model_name == "contact" else None,
                     data={"guest": grant.user.email})
    grant.refresh_from_db()
    return grant


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_guest_invitation(*, grant: GuestGrant, new_account: bool) -> bool:
    """Email the guest what was shared: a link to choose a password for a new account, or to
    sign in. Returns whether the mail server took it."""
    guest = grant.user
    if new_account:
        url = _absolute(reverse("accounts:password_reset_confirm", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(guest.pk)),
            "token": default_token_generator.make_token(guest)}))
    else:
        url = _absolute(reverse("accounts:login"))
    context = {"grant": grant, "guest": guest, "inviter": grant.granted_by,
               "target": grant.target, "url": url, "new_account": new_account}
    subject = "".join(render_to_string("accounts/email/guest_invitation_subject.txt",
                                       context).splitlines())
    message = EmailMultiAlternatives(
        subject, render_to_string("accounts/email/guest_invitation.txt", context),
        to=[guest.email])
    message.attach_alternative(render_to_string("accounts/email/guest_invitation.html",
                                                context), "text/html")
    try:
        message.send()
    except Exception:  # any mail server or network failure
        logger.exception("Could not send the guest invitation to %s", guest.email)
        return False
    return True
