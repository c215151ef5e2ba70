"""Reads of the notification centre: a person's notifications, newest first, a page at a time,
and their preferences per registered kind."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from clarion.core import cursors
from clarion.notifications.kinds import KINDS, Kind
from clarion.notifications.models import Notification, NotificationPreference

PAGE_SIZE = 25
CURSOR_SALT = "notifications.centre"


def notifications_of(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def page_of(user, *, unread_only: bool = False, cursor: str = "",
            limit: int = PAGE_SIZE) -> tuple[list[Notification], str]:
    """One page of the user's notifications and the cursor of the next (older) page."""
    notifications = notifications_of(user, unread_only=unread_only)
    after = _decode(cursor)
    if after is not None:
        moment, pk = after
        notifications = notifications.filter(
            Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    page = list(notifications[:limit + 1])
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if more else None
    return page, (cursors.encode_cursor(last.created_at, last.pk, salt=CURSOR_SALT)
                  if last else "")


def _decode(text: str):
    if not text:
        return None
    try:
        stamp, pk = cursors.decode_cursor(text, salt=CURSOR_SALT)
    except cursors.InvalidCursor:
        return None
    moment = parse_datetime(stamp) if isinstance(stamp, str) else None
    return (moment, pk) if moment is not None and isinstance(pk, int) else None


@dataclass
class PreferenceRow:
    kind: Kind
    channel: str


def preference_rows(user) -> list[PreferenceRow]:
    """Every registered kind with the channel the user gets it on, sorted by label."""
    chosen = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("kind", "channel"))
    rows = [PreferenceRow(kind, chosen.get(kind.name, kind.default)) for kind in KINDS.values()]
    return sorted(rows, key=lambda row: str(row.kind.label))
