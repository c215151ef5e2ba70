"""What tracking keeps besides the counters on `sending.Message`.

- `Notice`: each report received about our mail — a bounce or complaint from the inbound
  endpoint or the bounce mailbox, an ESP webhook event — once, under a unique key. Inserting
  it in the same transaction as its effect makes reprocessing harmless: a re-delivered
  webhook or the same DSN fetched twice finds its key taken and changes nothing. Reports that
  led nowhere keep their raw text for inspection.
- `EspMessage`: the id an email service provider gave a message when it accepted it, so its
  webhooks (which speak of that id, not of our Message-ID) find the message.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class Source(models.TextChoices):
        INBOUND = "inbound", _("Inbound endpoint")
        MAILBOX = "mailbox", _("Bounce mailbox")
        ESP = "esp", _("Email service webhook")

    class Kind(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        DELAY = "delay", _("Delivery delayed")
        COMPLAINT = "complaint", _("Complaint")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe email")
        DELIVERED = "delivered", _("Delivered")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        OTHER = "other", _("Other")

    key = models.CharField(max_length=255, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    message = models.ForeignKey("sending.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(_("address"), max_length=254, blank=True)
    # The bounce class and status code ("hard 5.1.1"), the complaint type, the ESP's name.
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    diagnostic = models.TextField(_("diagnostic"), blank=True)
    # Only for reports that matched nothing or were not understood: for a person to read.
    raw = models.TextField(_("raw report"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")
        indexes = [models.Index(fields=["kind", "-received_at"], name="tracking_notice_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.email}"


class EspMessage(models.Model):
    esp = models.CharField(_("email service"), max_length=40)
    esp_message_id = models.CharField(_("service's message id"), max_length=255)
    message = models.ForeignKey("sending.Message", on_delete=models.CASCADE,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("email service message id")
        verbose_name_plural = _("email service message ids")
        constraints = [models.UniqueConstraint(fields=["esp", "esp_message_id"],
                                               name="tracking_esp_message_once")]

    def __str__(self) -> str:
        return f"{self.esp}:{self.esp_message_id}"
