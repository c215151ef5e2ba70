"""The IANA time zone names a contact's `time_zone` may hold."""

from functools import cache
from zoneinfo import available_timezones


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


@cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """Sorted (name, label) pairs; the label reads "Europe/Paris" as "Europe / Paris"."""
    return tuple((name, name.replace("/", " / ").replace("_", " "))
                 for name in sorted(time_zone_names()))
