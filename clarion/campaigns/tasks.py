"""Background entry points of campaigns, enqueued by the core scheduler: launch scheduled
campaigns when their time comes, pick A/B winners whose wait has passed, and mark campaigns
sent once nothing is left to go. Each is safe to run twice or concurrently (every move is a
conditional UPDATE, see services.py)."""

from datetime import timedelta

from django.tasks import task

from clarion.campaigns import services
from clarion.core import scheduler

EVERY = timedelta(seconds=30)


@task()
def launch_due_campaigns() -> int:
    return services.launch_due()


@task()
def decide_ab_winners() -> int:
    return services.decide_due_winners()


@task()
def finish_sent_campaigns() -> int:
    return services.finish_sent()


def register_jobs() -> None:
    scheduler.register(scheduler.PeriodicJob("launch-campaigns", EVERY,
                                             launch_due_campaigns.enqueue))
    scheduler.register(scheduler.PeriodicJob("decide-ab-winners", EVERY,
                                             decide_ab_winners.enqueue))
    scheduler.register(scheduler.PeriodicJob("finish-campaigns", EVERY,
                                             finish_sent_campaigns.enqueue))
