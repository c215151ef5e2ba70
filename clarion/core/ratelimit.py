"""Fixed-window rate limits counted in the cache (an atomic INCR on Redis), shared by the API,
chat posting and any other endpoint that needs one."""

import math
import time

from django.core.cache import cache


def over_limit(bucket: str, limit: int, window_seconds: int = 60) -> int | None:
    """Count one hit in `bucket`'s current window; the seconds until the window ends when that
    hit went over `limit`, else None. A limit of 0 or less means no limit."""
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // window_seconds)
    counter = f"rate:{bucket}:{window}"
    cache.add(counter, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=window_seconds * 2)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * window_seconds - now))
