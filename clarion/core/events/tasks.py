"""Background entry point of the event spine. The task carries no data: it only wakes a
claimer, which reads the work from the database."""

from django.tasks import task

from clarion.core.events.dispatch import dispatch_pending


@task()
def dispatch_events() -> int:
    """Dispatch every due event; safe to run twice or concurrently."""
    return dispatch_pending()
