"""Notifications: the centre, the bell, preferences, the daily digest, the activity feed and
guest collaborators' pages."""

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def describe_guest_event(event) -> str:
    """Timeline sentences of sharing with guests."""
    from django.utils.translation import gettext

    from clarion.accounts.models import display_name

    actor = display_name(event.actor)
    guest = (event.data or {}).get("guest", "")
    if event.kind == "guest.revoked":
        return gettext("%(actor)s removed the guest %(guest)s's access") % {
            "actor": actor, "guest": guest}
    return gettext("%(actor)s shared this with the guest %(guest)s") % {
        "actor": actor, "guest": guest}


def _enqueue_digests() -> object:
    from clarion.notifications.tasks import send_daily_digests

    return send_daily_digests.enqueue()


class NotificationsConfig(AppConfig):
    name = "clarion.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from clarion.core.scheduler import PeriodicJob, register
        from clarion.crm.extensions import RecordPanel, register_describer, register_record_panel
        from clarion.notifications.guest_views import share_panel_context

        # Hourly: each run sends the digests due that day that are not sent yet.
        register(PeriodicJob("notifications-daily-digest", timedelta(hours=1),
                             _enqueue_digests))
        register_record_panel(RecordPanel("guests", "notifications/share_panel.html",
                                          share_panel_context, order=900))
        register_describer("guest.", describe_guest_event)
        from clarion.notifications.kinds import register_kind

        register_kind("guest.shared", _("A record or task is shared with me (guests)"))
        _let_guests_see_shared_tasks()


def _let_guests_see_shared_tasks() -> None:
    """Tasks decide their visibility in `tasks.queries`; a guest sees the tasks shared with
    them there too."""
    from django.apps import apps

    if not apps.is_installed("clarion.tasks"):
        return
    from clarion.tasks import queries

    queries.register_visibility(_shared_tasks)
    from clarion.notifications.services import register_target_visibility

    register_target_visibility("tasks.Task", _may_see_task)
    from clarion.notifications.activity import register_page_filter

    register_page_filter(_one_line_per_visible_task)


def _may_see_task(user, task) -> bool:
    from clarion.tasks.queries import tasks_visible_to

    return tasks_visible_to(user).filter(pk=task.pk).exists()


def _shared_tasks(user):
    from django.db.models import Q

    from clarion.core.permissions import granted_ids, is_guest
    from clarion.tasks.models import Task

    return Q(pk__in=granted_ids(user, Task)) if is_guest(user) else None


def _one_line_per_visible_task(viewer, events: list) -> list:
    """A task's event is copied onto each record it is linked to: the feed shows it once,
    and only when the viewer may see the task."""
    from clarion.tasks.queries import tasks_visible_to

    task_ids = {(event.data or {}).get("task_id") for event in events
                if event.kind.startswith("task.")} - {None}
    if not task_ids:
        return events
    visible = set(tasks_visible_to(viewer).filter(pk__in=task_ids).values_list("pk", flat=True))
    shown, seen = [], set()
    for event in events:
        task_id = (event.data or {}).get("task_id") if event.kind.startswith("task.") else None
        if task_id is None:
            shown.append(event)
            continue
        key = (event.kind, task_id, event.actor_id, event.occurred_at.replace(microsecond=0))
        if task_id in visible and key not in seen:
            seen.add(key)
            shown.append(event)
    return shown
