"""Background entry points of the send engine.

`deliver_due` is only a wake-up: the messages' rows are the truth, claimed with leases, so it
is safe to run twice or side by side (ARCHITECTURE.md, "Rule for all background work").
"""

from django.tasks import task

from clarion.sending.delivery import Worker

TIME_BUDGET = 50.0  # seconds: a task gives its worker slot back well within a minute


@task()
def deliver_due() -> int:
    """Deliver due messages until none is due or the time budget is spent; the number sent."""
    worker = Worker()
    try:
        return worker.run(time_budget=TIME_BUDGET)
    finally:
        worker.close()
