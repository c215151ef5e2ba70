"""Background entry points of the event spine. The tasks carry no data: they wake a claimer
(or the pruner), which reads the work from the database."""

from django.tasks import task

from clarion.core.events.dispatch import dispatch_pending
from clarion.core.events.retention import prune_done_runs


@task()
def dispatch_events() -> int:
    """Dispatch every due event; safe to run twice or concurrently."""
    return dispatch_pending()


@task()
def prune_handler_runs() -> int:
    """Delete the done marks of long-dispatched events."""
    return prune_done_runs()
