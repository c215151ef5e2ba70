"""A real Celery worker on the machine's Redis runs a django.tasks task enqueued here."""

import subprocess
import time
import uuid

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.tasks.exceptions import TaskResultDoesNotExist
from django.test import override_settings

from clarion.celery import CeleryBackend
from clarion.core.models import Heartbeat
from clarion.core.tasks import record_worker_heartbeat
from tests.core.subprocesses import REPO, clarion_command, clarion_env, database_url


def reachable_redis() -> str | None:
    """The broker Clarion is configured with (REDIS_URL, or redis://127.0.0.1:6379/0) when a
    Redis answers there. Each test run consumes its own queue, so runs never collide."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


REDIS = reachable_redis()
needs_redis = pytest.mark.skipif(
    REDIS is None, reason=f"Redis is not reachable at {settings.CELERY_BROKER_URL} "
                          "(REDIS_URL, or redis://127.0.0.1:6379/0 when unset)")


@pytest.fixture
def celery_worker():
    queue = f"clarion-test-{uuid.uuid4().hex[:8]}"
    env = clarion_env(CLARION_TASKS="celery", CELERY_BROKER_URL=REDIS,
                      CELERY_RESULT_BACKEND=settings.CELERY_RESULT_BACKEND,
                      DATABASE_URL=database_url())
    process = subprocess.Popen(
        clarion_command("worker", "--concurrency=1", f"--queues={queue}"), env=env, cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield queue
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    redis.Redis.from_url(REDIS).delete(queue)
    print(output)


def celery_tasks() -> dict:
    return {"default": {"BACKEND": "clarion.celery.CeleryBackend", "QUEUES": [],
                        "OPTIONS": {"CELERY_APP": "clarion.celery.app"}}}


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_a_task_enqueued_through_django_tasks(celery_worker):
    with override_settings(TASKS=celery_tasks()):
        result = record_worker_heartbeat.using(queue_name=celery_worker).enqueue()

        deadline = time.monotonic() + 90  # a cold worker on a busy machine is slow
        while not Heartbeat.objects.filter(component="worker").exists():
            assert time.monotonic() < deadline, "the Celery worker did not run the task"
            time.sleep(0.2)

        while not result.is_finished and time.monotonic() < deadline:
            try:
                result.refresh()
            except TaskResultDoesNotExist:  # still queued
                pass
            time.sleep(0.2)
        assert result.status == "SUCCESSFUL"


@needs_redis
@pytest.mark.django_db
def test_asking_for_a_queued_celery_result_is_an_ordinary_not_found():
    queue = f"clarion-test-idle-{uuid.uuid4().hex[:8]}"
    with override_settings(TASKS=celery_tasks()):
        result = record_worker_heartbeat.using(queue_name=queue).enqueue()
        backend = record_worker_heartbeat.get_backend()

        with pytest.raises(TaskResultDoesNotExist):
            backend.get_result(result.id)
    redis.Redis.from_url(REDIS).delete(queue)


no_results_app = Celery("clarion-no-results", broker="memory://")


def test_without_a_result_backend_a_result_is_not_found_rather_than_an_attribute_error():
    backend = CeleryBackend("default", {"QUEUES": [], "OPTIONS": {
        "CELERY_APP": "tests.core.test_worker_celery.no_results_app"}})

    with pytest.raises(TaskResultDoesNotExist):
        backend.get_result("3b6f9c1e-0000-4000-8000-000000000000")
