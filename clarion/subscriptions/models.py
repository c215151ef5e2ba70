"""Consent: what each contact agreed to receive, and every change to it.

A contact may receive a send of subscription type T when:
- their address is not on the suppression list (hard bounces, complaints, "unsubscribe from
  all", addresses added by hand), and
- for a type that needs opt-in (`requires_opt_in`), they hold a SUBSCRIBED subscription to T;
  for any other type, they hold no UNSUBSCRIBED (or PENDING) subscription to T.
`clarion.subscriptions.queries` answers that set-based for the send engine.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubscriptionType(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # Consent-based (GDPR): only people who opted in receive it. Otherwise everyone with an
    # address does until they unsubscribe.
    requires_opt_in = models.BooleanField(_("only to people who opted in"), default=False)
    # New opt-ins are PENDING until the person confirms by email.
    double_opt_in = models.BooleanField(_("double opt-in"), default=False)
    is_default = models.BooleanField(_("default for new campaigns"), default=False)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("subscription type")
        verbose_name_plural = _("subscription types")

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        PENDING = "pending", _("Awaiting confirmation")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE,
                                related_name="subscriptions", db_index=False)
    subscription_type = models.ForeignKey(SubscriptionType, on_delete=models.CASCADE,
                                          related_name="subscriptions")
    status = models.CharField(_("status"), max_length=15, choices=Status.choices)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [models.UniqueConstraint(fields=["contact", "subscription_type"],
                                               name="subscription_once")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.subscription_type_id} {self.status}"


class Suppression(models.Model):
    """An address nothing is sent to, whichever contact holds it."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBED_ALL = "unsubscribed_all", _("Unsubscribed from all email")
        MANUAL = "manual", _("Added by hand")

    email = models.CharField(_("email"), max_length=254)  # stored lower-cased
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [models.UniqueConstraint(Lower("email"), name="suppression_email_once")]

    def __str__(self) -> str:
        return self.email


class ConsentRecord(models.Model):
    """One entry of the consent log: what, when, how and from where."""

    class Action(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        CONFIRMED = "confirmed", _("Confirmed subscription")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        UNSUBSCRIBED_ALL = "unsubscribed_all", _("Unsubscribed from all email")
        RESUBSCRIBED = "resubscribed", _("Resubscribed")
        SUPPRESSED = "suppressed", _("Address suppressed")
        UNSUPPRESSED = "unsuppressed", _("Address no longer suppressed")

    class Method(models.TextChoices):
        ONE_CLICK = "one_click", _("One-click unsubscribe")
        UNSUBSCRIBE_PAGE = "unsubscribe_page", _("Unsubscribe page")
        PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
        CONFIRMATION_LINK = "confirmation_link", _("Confirmation link")
        MAILTO = "mailto", _("Unsubscribe email")
        FORM = "form", _("Form")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        MANUAL = "manual", _("Changed by a user")
        BOUNCE = "bounce", _("Bounce")
        COMPLAINT = "complaint", _("Spam complaint")

    contact = models.ForeignKey("crm.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="consent_records", db_index=False)
    email = models.CharField(_("email"), max_length=254)
    subscription_type = models.ForeignKey(SubscriptionType, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    # The wording the person agreed to, when there was some (a form's consent text).
    text = models.TextField(_("consent text"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # Where it happened, in words: the campaign whose email it came from, the form's page.
    source = models.CharField(_("source"), max_length=255, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent log")
        indexes = [models.Index(fields=["contact", "-occurred_at"], name="consent_contact")]

    def __str__(self) -> str:
        return f"{self.email} {self.action}"
