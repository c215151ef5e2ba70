import pytest

from clarion.core import scheduler

pytestmark = pytest.mark.django_db


def test_a_due_job_is_enqueued_once_even_when_two_schedulers_tick():
    first = scheduler.tick()
    second = scheduler.tick()

    assert "worker-heartbeat" in first
    assert "worker-heartbeat" not in second
