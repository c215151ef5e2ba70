"""Liveness of the parts Clarion needs: database, cache, task queue and worker."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.tasks import task_backends
from django.utils import timezone

from clarion.core.models import Heartbeat

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


def run_checks() -> dict:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # a failing dependency is reported, not raised
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return results
