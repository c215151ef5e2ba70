from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Wake-ups after commit are the fast path; this sweep dispatches events whose wake-up was lost.
EVENT_SWEEP_INTERVAL = timedelta(seconds=5)
HANDLER_RUN_PRUNE_INTERVAL = timedelta(hours=1)


class CoreConfig(AppConfig):
    name = "clarion.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from clarion.core import scheduler
        from clarion.core.events.tasks import prune_handler_runs, sweep
        from clarion.core.tasks import prune_task_results

        scheduler.register(scheduler.PeriodicJob("dispatch-events", EVENT_SWEEP_INTERVAL, sweep))
        scheduler.register(scheduler.PeriodicJob("prune-handler-runs",
                                                 HANDLER_RUN_PRUNE_INTERVAL,
                                                 prune_handler_runs.enqueue))
        scheduler.register(scheduler.PeriodicJob("prune-task-results", timedelta(hours=6),
                                                 prune_task_results.enqueue))
