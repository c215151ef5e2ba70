"""Liveness records for the background machinery."""

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time a component (the worker, the scheduler) proved it was alive."""

    component = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField(default=timezone.now)
