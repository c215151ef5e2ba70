"""The one loop that enqueues periodic work through django.tasks, whatever the backend.

Each job has an interval; the loop remembers when it last enqueued each one in the database
(`Heartbeat` rows named `job:<name>`), so two schedulers started by mistake, or a restart, do
not flood the queue: a job is enqueued only when its row's time is older than its interval,
claimed with a conditional UPDATE.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

from clarion.core.health import HEARTBEAT_INTERVAL
from clarion.core.models import Heartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    enqueue: Callable[[], object]


def _heartbeat_job() -> object:
    from clarion.core.tasks import record_worker_heartbeat

    return record_worker_heartbeat.enqueue()


JOBS: dict[str, PeriodicJob] = {}


def register(job: PeriodicJob) -> None:
    """Apps add their periodic jobs here (from their AppConfig.ready); a name is registered
    once, so a repeated ready() changes nothing."""
    JOBS.setdefault(job.name, job)


register(PeriodicJob("worker-heartbeat", HEARTBEAT_INTERVAL, _heartbeat_job))


def claim_due(job: PeriodicJob) -> bool:
    """True when this scheduler won the right to enqueue `job` now."""
    now = timezone.now()
    key = f"job:{job.name}"
    Heartbeat.objects.get_or_create(component=key, defaults={"beat_at": now - job.every})
    claimed = Heartbeat.objects.filter(component=key, beat_at__lte=now - job.every).update(
        beat_at=now
    )
    return claimed == 1


def tick() -> list[str]:
    """Enqueue every due job once; returns the names enqueued."""
    Heartbeat.objects.update_or_create(component="scheduler",
                                       defaults={"beat_at": timezone.now()})
    enqueued = []
    for job in JOBS.values():
        if claim_due(job):
            job.enqueue()
            enqueued.append(job.name)
    return enqueued


def run_forever(interval: float = 5.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    logger.info("Scheduler started")
    while not stop.is_set():
        close_old_connections()
        try:
            tick()
        except Exception:
            logger.exception("Scheduler tick failed; retrying")
        stop.wait(interval)
    close_old_connections()
    logger.info("Scheduler stopped")

