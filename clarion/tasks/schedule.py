"""Time arithmetic of tasks: time zones, snoozing and the next occurrence of a repeating task,
all done on the local wall clock so 9:00 stays 9:00 across daylight-saving changes."""

import calendar
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.utils import timezone

from clarion.tasks.models import Repeat

TZ_COOKIE = "clarion_tz"
DEFAULT_DUE_TIME = time(9, 0)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_known_zone(name: str) -> bool:
    return name in _zone_names()


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or the site's zone when it is empty or unknown."""
    if name and is_known_zone(name):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(settings.TIME_ZONE)


def request_zone(request) -> ZoneInfo:
    """The user's time zone: what their browser reported (tasks.js keeps it in a cookie)."""
    return zone_named(request.COOKIES.get(TZ_COOKIE, ""))


def local_moment(day: date, at: time | None, zone: ZoneInfo) -> datetime:
    """`day` at `at` (default 9:00) on the wall clock of `zone`, as an aware datetime."""
    return datetime.combine(day, at or DEFAULT_DUE_TIME, tzinfo=zone)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _step(day: date, repeat: str, interval: int) -> date:
    if repeat == Repeat.DAILY:
        return day + timedelta(days=1)
    if repeat == Repeat.WEEKLY:
        return day + timedelta(weeks=1)
    if repeat == Repeat.MONTHLY:
        return _add_months(day, 1)
    return day + timedelta(days=max(interval, 1))


def next_due(due_at: datetime | None, repeat: str, interval: int, zone: ZoneInfo, *,
             now: datetime | None = None) -> datetime:
    """The due moment of the occurrence after one due at `due_at`: the same local time, one
    step later, and never in the past (a task completed late doesn't spawn overdue ones)."""
    now = now or timezone.now()
    base = timezone.localtime(due_at or now, zone)
    day, at = base.date(), base.time().replace(tzinfo=None)
    if due_at is None:
        at = DEFAULT_DUE_TIME
    months = 0
    while True:
        if repeat == Repeat.MONTHLY:
            # Step from the first date so the 31st stays the 31st where the month has one.
            months += 1
            candidate_day = _add_months(base.date(), months)
        else:
            day = _step(day, repeat, interval)
            candidate_day = day
        candidate = local_moment(candidate_day, at, zone)
        if candidate > now:
            return candidate


def snooze_target(choice: str, zone: ZoneInfo, *, due_at: datetime | None,
                  now: datetime | None = None) -> datetime:
    """Tomorrow or next Monday, at the task's own local time of day (9:00 when it has none)."""
    now = now or timezone.now()
    today = timezone.localtime(now, zone).date()
    at = timezone.localtime(due_at, zone).time().replace(tzinfo=None) if due_at else None
    if choice == "tomorrow":
        return local_moment(today + timedelta(days=1), at, zone)
    if choice == "next_week":
        return local_moment(today + timedelta(days=7 - today.weekday()), at, zone)
    raise ValueError(choice)
