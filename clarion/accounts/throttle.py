"""The sign-in throttle: too many recent failures for one email or one IP address refuse
further attempts for a while, without the password being checked."""

import logging
import math
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from clarion.accounts.models import LoginAttempt

logger = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20


class Reason:
    """Why an attempt was logged as it was (stored in `LoginAttempt.reason`)."""

    SUCCESS = ""
    BAD_PASSWORD = "bad_password"
    UNKNOWN_EMAIL = "unknown_email"
    BAD_TOTP = "bad_totp"
    THROTTLED = "throttled"
    INACTIVE = "inactive"


def record_attempt(*, email: str, ip: str | None, reason: str) -> LoginAttempt:
    """Write one line of the sign-in log; an empty reason means the sign-in succeeded."""
    if reason == Reason.THROTTLED:
        logger.warning("Sign-in throttled for email=%s ip=%s", email, ip)
    return LoginAttempt.objects.create(email=email[:254], ip_address=ip,
                                       succeeded=reason == Reason.SUCCESS, reason=reason)


def _failures(since):
    # Refused attempts don't count, so the lock ends a fixed time after the last real failure.
    return (LoginAttempt.objects.filter(succeeded=False, at__gte=since)
            .exclude(reason=Reason.THROTTLED))


def _locked_until(failures, limit: int):
    """When the failures in the window drop below `limit`, or None if they already are."""
    times = failures.order_by("-at").values_list("at", flat=True)[limit - 1:limit]
    return times[0] + WINDOW if times else None


def seconds_locked(*, email: str, ip: str | None) -> int:
    """How long sign-ins for this email or from this IP are refused; 0 when they are not."""
    now = timezone.now()
    since = now - WINDOW
    # A later successful sign-in proves the password is known: earlier mistakes stop counting.
    last_success = (LoginAttempt.objects.filter(email=email, succeeded=True, at__gte=since)
                    .aggregate(at=Max("at"))["at"])
    locks = [_locked_until(_failures(max(since, last_success or since)).filter(email=email),
                           MAX_FAILURES_PER_EMAIL)]
    if ip:
        locks.append(_locked_until(_failures(since).filter(ip_address=ip), MAX_FAILURES_PER_IP))
    until = max((lock for lock in locks if lock), default=None)
    return max(0, math.ceil((until - now).total_seconds())) if until else 0


def minutes_to_wait(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))
