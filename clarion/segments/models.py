"""Segments and lists: named sets of contacts.

A dynamic segment's membership follows its definition (a filter tree in the one filter
language, see docs/filters.md) and is stored in `SegmentMembership`, kept current by the
incremental handler and the periodic full refresh (clarion/segments/services.py). A static
list is a snapshot people add contacts to and remove them from by hand, import or API.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EMPTY_DEFINITION = {"all": []}


def empty_definition() -> dict:
    return {"all": []}


class Segment(models.Model):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic segment")
        STATIC = "static", _("Static list")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.DYNAMIC)
    definition = models.JSONField(_("definition"), default=empty_definition, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    last_refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    last_changed_at = models.DateTimeField(_("membership last changed"), null=True,
                                           blank=True)
    # "" when the segment is fine; otherwise why its membership is frozen (a condition
    # refers to something deleted since). A flagged segment keeps its members.
    problem = models.TextField(_("problem"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("segments:detail", args=[self.pk])

    @property
    def is_dynamic(self) -> bool:
        return self.kind == self.Kind.DYNAMIC

    @property
    def is_static(self) -> bool:
        return self.kind == self.Kind.STATIC


class SegmentMembership(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships",
                                db_index=False)  # the unique constraint's index leads with it
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE,
                                related_name="segment_memberships", db_index=False)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")
        constraints = [models.UniqueConstraint(fields=["segment", "contact"],
                                               name="segment_membership_once")]
        indexes = [models.Index(fields=["contact", "segment"],
                                name="segment_membership_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.segment_id}"


class SegmentSizeSample(models.Model):
    """The segment's size at one moment: its size over time."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="size_samples",
                                db_index=False)  # the index below leads with it
    sampled_at = models.DateTimeField(_("sampled at"), default=timezone.now)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["sampled_at", "id"]
        verbose_name = _("segment size sample")
        verbose_name_plural = _("segment size samples")
        indexes = [models.Index(fields=["segment", "sampled_at"],
                                name="segment_size_time")]
