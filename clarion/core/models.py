"""Liveness records for the background machinery.

Django finds an app's models in this module only, so the models of the core's mechanisms
(events, properties) are imported here.
"""

from django.db import models
from django.utils import timezone

from clarion.core.events.models import Event, HandlerRun  # noqa: F401
from clarion.core.listviews.models import SavedView  # noqa: F401
from clarion.core.properties.models import PropertyDefinition  # noqa: F401


class Heartbeat(models.Model):
    """The last time a component (the worker, the scheduler) proved it was alive."""

    component = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField(default=timezone.now)
