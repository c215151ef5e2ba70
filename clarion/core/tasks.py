"""Background entry points of the core: the worker's heartbeat."""

from django.tasks import task
from django.utils import timezone

from clarion.core.models import Heartbeat


@task()
def record_worker_heartbeat() -> None:
    """Run by whichever worker picks it up, proving the queue and a worker are alive."""
    Heartbeat.objects.update_or_create(component="worker", defaults={"beat_at": timezone.now()})
