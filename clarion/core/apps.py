from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Wake-ups after commit are the fast path; this sweep dispatches events whose wake-up was lost.
EVENT_SWEEP_INTERVAL = timedelta(seconds=5)


class CoreConfig(AppConfig):
    name = "clarion.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from clarion.core import scheduler
        from clarion.core.events.services import wake_dispatcher

        if not any(job.name == "dispatch-events" for job in scheduler.JOBS):
            scheduler.register(scheduler.PeriodicJob("dispatch-events", EVENT_SWEEP_INTERVAL,
                                                     wake_dispatcher))
