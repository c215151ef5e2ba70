"""Saved list views: a name, a record type, a filter tree, the columns shown and the sort."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A list view a person saved, for themselves (private) or for everyone (shared)."""

    object_type = models.CharField(_("record type"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    shared = models.BooleanField(_("shared with everyone"), default=False)
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["object_type", "name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [models.Index(fields=["object_type", "owner"], name="savedview_owner"),
                   models.Index(fields=["object_type", "shared"], name="savedview_shared")]

    def __str__(self) -> str:
        return self.name
