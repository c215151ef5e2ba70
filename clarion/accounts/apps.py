from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "clarion.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from clarion.accounts.guests import granted_ids
        from clarion.accounts.tasks import prune_sign_in_log
        from clarion.core import scheduler
        from clarion.core.permissions import register_guest_grants

        register_guest_grants(granted_ids)

        scheduler.register(scheduler.PeriodicJob("prune-sign-in-log", timedelta(days=1),
                                                 prune_sign_in_log.enqueue))
