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
