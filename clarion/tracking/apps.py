"""What happens to a message after it leaves: opens, clicks, bounces and complaints."""
from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "clarion.tracking"
    label = "tracking"
    verbose_name = _("Email tracking")

    def ready(self) -> None:
        from anymail.signals import post_send, tracking

        from clarion.core import scheduler
        from clarion.tracking import webhooks
        from clarion.tracking.describers import register_describers

        register_describers()
        tracking.connect(webhooks.handle_tracking_event, dispatch_uid="clarion.tracking")
        post_send.connect(webhooks.remember_esp_message_ids, dispatch_uid="clarion.tracking")
        every = settings.CLARION_BOUNCE_POLL_SECONDS
        scheduler.register(scheduler.PeriodicJob("poll-bounce-mailbox",
                                                 timedelta(seconds=every), _enqueue_poll))
        scheduler.register(scheduler.PeriodicJob("prune-tracking-notices", timedelta(days=1),
                                                 _enqueue_prune))


def _enqueue_poll() -> object:
    from clarion.tracking.mailbox import configured
    from clarion.tracking.tasks import poll_bounces

    return poll_bounces.enqueue() if configured() else None


def _enqueue_prune() -> object:
    from clarion.tracking.tasks import prune_notices

    return prune_notices.enqueue()
