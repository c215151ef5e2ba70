from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clarion.core import scheduler
from clarion.core.tasks import prune_task_results, record_worker_heartbeat

pytestmark = pytest.mark.django_db


def test_a_due_job_is_enqueued_once_even_when_two_schedulers_tick():
    first = scheduler.tick()
    second = scheduler.tick()

    assert "worker-heartbeat" in first
    assert "worker-heartbeat" not in second


def test_apps_register_their_periodic_jobs_once():
    assert {"worker-heartbeat", "dispatch-events", "prune-task-results",
            "prune-sign-in-log"} <= set(scheduler.JOBS)


def test_registering_a_job_name_twice_keeps_the_first():
    first = scheduler.JOBS["worker-heartbeat"]

    scheduler.register(scheduler.PeriodicJob("worker-heartbeat", first.every, lambda: None))

    assert scheduler.JOBS["worker-heartbeat"] is first


@override_settings(CLARION_TASKS="db", TASKS={
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}})
def test_old_finished_database_queue_results_are_pruned():
    kept = record_worker_heartbeat.enqueue()
    old = record_worker_heartbeat.enqueue()
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=20))

    prune_task_results.call()

    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert remaining == {str(kept.id)}
