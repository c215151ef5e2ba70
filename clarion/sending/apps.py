"""The send engine: sender identities, sends and one message per recipient, delivered once."""
from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often the scheduler wakes a delivery task when nothing else did.
DELIVERY_EVERY = timedelta(seconds=15)


class SendingConfig(AppConfig):
    name = "clarion.sending"
    label = "sending"
    verbose_name = _("Sending")

    def ready(self) -> None:
        from clarion.core import scheduler
        from clarion.sending import merge
        from clarion.sending.describers import register_describers

        register_describers()
        merge.register()
        scheduler.register(scheduler.PeriodicJob("deliver-email", DELIVERY_EVERY,
                                                 wake_delivery))


def wake_delivery() -> object:
    from clarion.sending.tasks import deliver_due

    return deliver_due.enqueue()
