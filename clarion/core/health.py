"""Liveness of the parts Clarion needs: database, cache, task queue and worker."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.tasks import task_backends
from django.utils import timezone

from clarion.core.models import Heartbeat

logger = logging.getLogger(__name__)

# The scheduler beats every HEARTBEAT_INTERVAL; a component silent for three beats is down.
HEARTBEAT_INTERVAL = timedelta(seconds=20)
STALE_AFTER = HEARTBEAT_INTERVAL * 3


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 10)
    ok = cache.get(key) == value
    cache.delete(key)
    return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_task_queue() -> dict:
    backend = task_backends["default"]
    return {"ok": True, "backend": type(backend).__name__}


def check_heartbeat(component: str) -> dict:
    beat = Heartbeat.objects.filter(component=component).first()
    if beat is None:
        return {"ok": False, "last_seen": None}
    return {"ok": timezone.now() - beat.beat_at < STALE_AFTER, "last_seen": beat.beat_at}


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "task_queue": check_task_queue,
    "worker": lambda: check_heartbeat("worker"),
    "scheduler": lambda: check_heartbeat("scheduler"),
}


# These read the database: when it is down they are reported without waiting on it again.
NEEDS_DATABASE = {"worker", "scheduler"}


def run_checks() -> dict:
    """Every check's result; a failing dependency is reported (and logged), never raised."""
    results = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not results.get("database", {}).get("ok", True):
            results[name] = {"ok": False, "error": "database unavailable"}
            continue
        try:
            results[name] = check()
        except Exception as error:
            logger.warning("Health check %s failed", name, exc_info=True)
            # The class only: /healthz is public, and messages can name hosts or users.
            results[name] = {"ok": False, "error": type(error).__name__}
    return results
