"""Events: everything that happened to a contact or a record, and which handlers have seen it.

`core` imports no app, so an event names its contact by id and its subject generically.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One thing that happened, written by the service that did it in the same transaction.

    `dispatched_at` is set once every matching handler has finished with the event (done or
    given up). Until then `claimed_until` says when it may next be claimed: the lease of the
    claimer working on it, or the earliest retry of a handler that failed.
    """

    kind = models.CharField(_("kind"), max_length=100)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    contact_id = models.BigIntegerField(_("contact"), null=True, blank=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     db_index=False)  # the subject index leads with it
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("actor"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # Timelines and segment behaviour conditions ("viewed /pricing 3 times in 30
            # days"): the data column rides along so those probes never visit the heap.
            models.Index(fields=["contact_id", "kind", "occurred_at"], include=["data"],
                         name="core_event_contact_behaviour"),
            models.Index(fields=["subject_type", "subject_id", "occurred_at"],
                         name="core_event_subject_time"),
            # The claimer's queue: only the (few) undispatched events are in this index.
            models.Index(fields=["id"], condition=Q(dispatched_at__isnull=True),
                         name="core_event_undispatched"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def cursor(self) -> tuple[datetime, int]:
        """The keyset position of this event in a newest-first timeline."""
        return (self.occurred_at, self.pk)


class HandlerRun(models.Model):
    """What one handler did with one event. The unique (event, handler) row is written in the
    handler's own transaction, so its effect and its "done" mark commit together."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        RETRYING = "retrying", _("Waiting to retry")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="handler_runs",
                              db_index=False)  # the unique constraint's index leads with it
    handler = models.CharField(_("handler"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_retry_at = models.DateTimeField(_("next retry at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handler run")
        verbose_name_plural = _("handler runs")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"],
                                    name="core_handlerrun_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["handler"], condition=Q(status="failed"),
                         name="core_handlerrun_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} on event #{self.event_id}: {self.status}"
