from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "clarion.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from clarion.api.tasks import prune_idempotency_keys
        from clarion.core import scheduler

        scheduler.register(scheduler.PeriodicJob("prune-idempotency-keys", timedelta(hours=1),
                                                  prune_idempotency_keys.enqueue))
