"""Keeping the HandlerRun table small: a "done" mark matters only while its event may still be
delivered, so marks of long-dispatched events are deleted. Failed runs stay (they are the dead
letters), and so do the done marks beside them, which `retry_failed_runs` relies on."""

from datetime import timedelta

from django.utils import timezone

from clarion.core.events.models import HandlerRun

KEEP_DONE_RUNS = timedelta(days=1)
DELETE_CHUNK = 10_000


def prune_done_runs(*, older_than: timedelta = KEEP_DONE_RUNS) -> int:
    """Delete done marks of dispatched events finished more than `older_than` ago, in chunks;
    returns how many were deleted."""
    cutoff = timezone.now() - older_than
    prunable = (HandlerRun.objects
                .filter(status=HandlerRun.Status.DONE, finished_at__lt=cutoff,
                        event__dispatched_at__isnull=False)
                .exclude(event__handler_runs__status=HandlerRun.Status.FAILED))
    deleted = 0
    while chunk := list(prunable.values_list("pk", flat=True)[:DELETE_CHUNK]):
        deleted += HandlerRun.objects.filter(pk__in=chunk).delete()[0]
    return deleted
