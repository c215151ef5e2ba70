"""Per-domain sending rates, shared by every worker through the cache (Redis in production).

A limit is messages per second to one recipient domain. Time is cut into windows (one second,
or longer for limits under one a second); a worker reserves as many messages of a window as it
wants with one atomic INCR and keeps what fit under the limit. What did not fit goes back to
the queue for the next window: nothing is dropped.
"""

import math
import time

from django.core.cache import cache


def window_of(limit: float) -> tuple[float, int]:
    """(window length in seconds, messages allowed per window)."""
    if limit >= 1:
        return 1.0, int(limit)
    return 1.0 / limit, 1


def reserve(domain: str, wanted: int, limit: float) -> tuple[int, float]:
    """(how many of `wanted` may go now, seconds until the next window)."""
    length, allowed = window_of(limit)
    now = time.time()
    window = math.floor(now / length)
    key = f"send-throttle:{domain}:{length:g}:{window}"
    cache.add(key, 0, timeout=int(length) + 5)
    try:
        total = cache.incr(key, wanted)
    except ValueError:  # expired between add and incr
        cache.set(key, wanted, timeout=int(length) + 5)
        total = wanted
    before = total - wanted
    granted = max(0, min(wanted, allowed - before))
    return granted, (window + 1) * length - now


def limit_for(domain: str, limits: dict[str, float]) -> float | None:
    return limits.get(domain, limits.get("*"))
