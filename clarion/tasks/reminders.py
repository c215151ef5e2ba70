"""Due-soon reminders and overdue notices, sent by the scheduler every minute.

Each sweep selects the due tasks in one query, claims them in one UPDATE (setting
`reminder_sent_at` / `overdue_notified_at`) and notifies their assignees, all in one
transaction. On PostgreSQL the selection locks its rows with `SKIP LOCKED`, so sweeps running
at the same time take disjoint tasks; a sweep that starts after another committed no longer
finds them. The notification's `dedupe_key` (task, moment) is the backstop: even a
duplicate claim could not notify twice. A snooze or a new due moment clears the claims, so
the new moment gets its own reminder.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.tasks.models import Reminder, Task

BATCH_SIZE = 500
# A reminder still makes sense shortly after the due moment (a reminder "at the due time"
# is due exactly then); after that the overdue notice takes over.
GRACE = timedelta(minutes=15)


def due_reminders(now: datetime) -> QuerySet:
    return Task.objects.filter(completed_at__isnull=True, assignee__isnull=False,
                               reminder_sent_at__isnull=True, remind_at__lte=now,
                               due_at__gt=now - GRACE)


def newly_overdue(now: datetime) -> QuerySet:
    reminded_at_due = Q(reminder=Reminder.AT_DUE, due_at__gt=now - GRACE)
    return Task.objects.filter(completed_at__isnull=True, assignee__isnull=False,
                               overdue_notified_at__isnull=True,
                               due_at__lte=now).exclude(reminded_at_due)


def _claim(candidates: QuerySet, mark: str, now: datetime) -> list[Task]:
    """Lock and mark a batch of candidates; the tasks this sweep now owns."""
    features = transaction.get_connection().features
    if features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    tasks = list(candidates.select_related("assignee").order_by("id")[:BATCH_SIZE])
    if tasks:
        Task.objects.filter(pk__in=[task.pk for task in tasks],
                            **{f"{mark}__isnull": True}).update(**{mark: now})
    return tasks


def _notify_due_soon(task: Task) -> None:
    from clarion.notifications.services import notify

    def title() -> str:
        return _("Reminder: “%(title)s” is due %(when)s") % {
            "title": task.title, "when": _due_phrase(task)}

    notify(task.assignee, "task.reminder", target=task, url=task.get_absolute_url(),
           title=title, dedupe_key=f"task.reminder:{task.pk}:{task.remind_at.isoformat()}")


def _notify_overdue(task: Task) -> None:
    from clarion.notifications.services import notify

    def title() -> str:
        return _("“%(title)s” is overdue") % {"title": task.title}

    notify(task.assignee, "task.overdue", target=task, url=task.get_absolute_url(),
           title=title, dedupe_key=f"task.overdue:{task.pk}:{task.due_at.isoformat()}")


def _due_phrase(task: Task) -> str:
    from django.utils.formats import date_format

    from clarion.tasks.schedule import zone_named

    local = timezone.localtime(task.due_at, zone_named(task.time_zone))
    return _("on %(date)s at %(time)s (%(zone)s)") % {
        "date": date_format(local, "DATE_FORMAT"), "time": date_format(local, "TIME_FORMAT"),
        "zone": task.time_zone}


def _sweep(candidates, mark: str, send, now: datetime) -> int:
    sent = 0
    while True:
        with transaction.atomic():
            tasks = _claim(candidates(now), mark, now)
            for task in tasks:
                send(task)
        sent += len(tasks)
        if len(tasks) < BATCH_SIZE:
            return sent


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """Send every due reminder and overdue notice not sent yet; safe to run at any time,
    twice, or concurrently."""
    now = now or timezone.now()
    return {"reminders": _sweep(due_reminders, "reminder_sent_at", _notify_due_soon, now),
            "overdue": _sweep(newly_overdue, "overdue_notified_at", _notify_overdue, now)}
