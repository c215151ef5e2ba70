"""Email designs and the file library their images come from.

An email's content is a block document (see clarion/emails/blocks.py for its schema):
`{"settings": {...}, "blocks": [{"type": "text", ...}, ...]}`. It renders to MJML, then through
mrml to responsive HTML, with a generated plain-text part. A saved template is an `Email` of
kind TEMPLATE; the built-in library lives in code (clarion/emails/library/).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def empty_document() -> dict:
    return {"settings": {}, "blocks": []}


class Email(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        TEMPLATE = "template", _("Template")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    # For templates: newsletter, announcement, event, welcome, … (the gallery's groups).
    category = models.CharField(_("category"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    preheader = models.CharField(_("preview text"), max_length=255, blank=True)
    document = models.JSONField(_("content"), default=empty_document, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Optimistic concurrency: a save names the version it edited (as records do).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["kind", "-updated_at"], name="email_kind_updated")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("emails:detail", args=[self.pk])


class Asset(models.Model):
    """An image in the file library, usable by any email."""

    # Indexed: email clients fetch images by their (random) stored name, without signing in.
    file = models.FileField(_("file"), upload_to="email-assets/%Y/%m/", db_index=True)
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.name
