import time

import pytest

from clarion.core import scheduler

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency_as_json(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "task_queue", "worker", "scheduler"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True


def test_worker_is_reported_down_until_it_has_run_a_heartbeat(client):
    assert client.get("/healthz").json()["checks"]["worker"]["ok"] is False

    scheduler.tick()

    checks = client.get("/healthz").json()["checks"]
    assert checks["worker"]["ok"] is True
    assert checks["scheduler"]["ok"] is True


UNREACHABLE_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": "redis://127.0.0.1:1/0",
                                 "OPTIONS": {"socket_connect_timeout": 1}}}


def test_a_broken_cache_is_reported_not_raised(client, settings):
    settings.CACHES = UNREACHABLE_REDIS

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 3
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


def test_a_failing_check_never_turns_into_a_500(client, monkeypatch):
    from clarion.core import health

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(health.CHECKS, "database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "error": "RuntimeError"}
    assert checks["worker"]["ok"] is False and checks["scheduler"]["ok"] is False
    assert "disk on fire" not in response.content.decode()
