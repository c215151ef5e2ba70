"""Background entry points of the event spine. The tasks carry no data: they wake a claimer
(or the pruner), which reads the work from the database."""

from django.tasks import task
from django.utils import timezone

from clarion.core.events.dispatch import dispatch_pending, due_events
from clarion.core.events.retention import prune_done_runs


@task()
def dispatch_events() -> int:
    """Dispatch every due event; safe to run twice or concurrently."""
    return dispatch_pending()


@task()
def prune_handler_runs() -> int:
    """Delete the done marks of long-dispatched events."""
    return prune_done_runs()


def sweep() -> None:
    """The scheduler's safety net for lost wake-ups: enqueue a dispatch run when an event is
    due (whatever the wake-up mark says), and nothing when none is."""
    if due_events(now=timezone.now()).exists():
        dispatch_events.enqueue()
