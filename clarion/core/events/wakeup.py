"""Waking the dispatcher after events commit, without flooding the task queue.

A busy installation commits many events a second; one wake-up waiting to start is enough for
all of them, because the dispatcher run it starts claims everything committed before it began.
So an emitter enqueues a wake-up only when none is pending (an atomic cache `add`), and each
dispatcher run clears the mark as it starts. If a wake-up is lost, its mark expires and the
scheduler's sweep dispatches meanwhile. The mark needs a cache shared by web and workers (Redis,
or `clarion run`'s single process); with a per-process cache it still bounds the wake-ups, and
the mark's expiry bounds the delay.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

WAKE_PENDING_KEY = "events:wake-pending"
WAKE_PENDING_TIMEOUT = 2  # seconds


def wake_dispatcher() -> None:
    """Enqueue a dispatch run unless one is already waiting to start."""
    try:
        first = cache.add(WAKE_PENDING_KEY, True, timeout=WAKE_PENDING_TIMEOUT)
    except Exception:
        logger.warning("Cache unavailable; waking the event dispatcher anyway", exc_info=True)
        first = True
    if first:
        from clarion.core.events.tasks import dispatch_events  # the task backend loads lazily

        dispatch_events.enqueue()


def clear_pending_wake() -> None:
    """Called as a dispatcher run starts: events committed after this wake another run."""
    try:
        cache.delete(WAKE_PENDING_KEY)
    except Exception:
        logger.warning("Cache unavailable; a wake-up mark may delay dispatch until the sweep",
                       exc_info=True)
