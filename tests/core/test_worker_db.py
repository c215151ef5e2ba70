"""A real django-tasks-db worker, in its own process, runs what the app enqueued."""

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from clarion.core.models import Heartbeat
from clarion.core.tasks import record_worker_heartbeat
from tests.core.subprocesses import database_url, run_clarion

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_database_worker_runs_an_enqueued_task_and_exits_in_batch_mode():
    result = record_worker_heartbeat.enqueue()
    assert not Heartbeat.objects.filter(component="worker").exists()

    done = run_clarion("worker", "--batch", timeout=60, CLARION_TASKS="db",
                       DATABASE_URL=database_url())

    assert done.returncode == 0, done.stderr
    assert Heartbeat.objects.filter(component="worker").exists()
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    result.refresh()
    assert result.is_finished
