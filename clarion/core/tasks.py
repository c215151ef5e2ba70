"""Background entry points of the core: the worker's heartbeat and queue housekeeping."""

from django.conf import settings
from django.core.management import call_command
from django.tasks import task
from django.utils import timezone

from clarion.core.models import Heartbeat


@task()
def record_worker_heartbeat() -> None:
    """Run by whichever worker picks it up, proving the queue and a worker are alive."""
    Heartbeat.objects.update_or_create(component="worker", defaults={"beat_at": timezone.now()})


@task()
def prune_task_results() -> None:
    """Delete finished database-queue task results older than two weeks (failed: 30 days)."""
    if settings.CLARION_TASKS != "db":
        return
    call_command("prune_db_task_results", min_age_days=14, failed_min_age_days=30,
                 verbosity=0)
