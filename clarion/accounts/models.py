"""Users, teams, roles, invitations, API keys and the sign-in log."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clarion.core.capabilities import DEFAULT_ROLE_DESCRIPTIONS, DEFAULT_ROLES


class Role(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language while it is one of the shipped roles' names."""
        return gettext(self.name) if self.name in DEFAULT_ROLES else self.name

    @property
    def display_description(self) -> str:
        """A shipped role's unchanged (or empty) description in the reader's language."""
        shipped = DEFAULT_ROLE_DESCRIPTIONS.get(self.name)
        if shipped and self.description in ("", shipped):
            return gettext(shipped)
        return self.description


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


def display_name(user: "User | None") -> str:
    """How people read a user's name: their full name or email, or "Clarion" for what the
    system did on its own (an event or a change without an actor)."""
    return str(user) if user is not None else gettext("Clarion")


class User(AbstractUser):
    """A person who signs in. Email is the login; a role grants capabilities."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    role = models.ForeignKey(Role, verbose_name=_("role"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="users")
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True,
                                   related_name="members")
    language = models.CharField(_("language"), max_length=10, blank=True)
    # A guest collaborator from outside the company: no role capabilities, only the records
    # and tasks shared with them through GuestGrant.
    is_guest = models.BooleanField(_("guest"), default=False)
    totp_secret = models.CharField(_("authenticator secret"), max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("two-factor authentication"), default=False)
    totp_last_step = models.BigIntegerField(_("last authenticator code step"), default=0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class RecoveryCode(models.Model):
    """A single-use code that stands in for a TOTP code; only its hash is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="recovery_codes")
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")


class Invitation(models.Model):
    email = models.EmailField(_("email address"))
    role = models.ForeignKey(Role, verbose_name=_("role"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class APIKey(models.Model):
    """A key for the REST API. The secret is shown once; only its hash is kept."""

    PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_secret() -> tuple[str, str]:
        """Return (prefix, full key); the key reads `clk_<prefix>_<secret>`."""
        prefix = secrets.token_hex(APIKey.PREFIX_LENGTH // 2)
        return prefix, f"clk_{prefix}_{secrets.token_urlsafe(32)}"


class LoginAttempt(models.Model):
    """The sign-in log: every attempt, kept for audit and throttling."""

    email = models.CharField(_("email address"), max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        # The throttle counts recent failures per email and per IP address.
        indexes = [models.Index(fields=["email", "at"], name="loginattempt_email_at"),
                   models.Index(fields=["ip_address", "at"], name="loginattempt_ip_at")]


class GuestGrant(models.Model):
    """Access for a guest to one record or task; active until `revoked_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("guest"),
                             on_delete=models.CASCADE, related_name="guest_grants")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.BigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shared by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("shared at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("guest access")
        verbose_name_plural = _("guest access")
        indexes = [models.Index(fields=["user", "target_type", "revoked_at"],
                                name="guestgrant_user_type")]
        constraints = [models.UniqueConstraint(
            fields=["user", "target_type", "target_id"], condition=models.Q(revoked_at=None),
            name="guestgrant_one_active")]


class AuditEntry(models.Model):
    """The audit log: what a guest opened, and every attempt they were refused."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        CHANGED = "changed", _("Changed")
        DENIED = "denied", _("Denied")
        GRANTED = "granted", _("Access shared")
        REVOKED = "revoked", _("Access revoked")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    target_id = models.BigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    path = models.CharField(_("address"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
