"""Tasks: to-dos, calls, emails and follow-ups with reminders, on the records they concern."""
from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _enqueue_reminders() -> object:
    from clarion.tasks.tasks import send_task_reminders

    return send_task_reminders.enqueue()


class TasksConfig(AppConfig):
    name = "clarion.tasks"
    label = "tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from clarion.core.scheduler import PeriodicJob, register
        from clarion.notifications.services import register_kind
        from clarion.tasks import extensions

        extensions.register()
        register(PeriodicJob("task-reminders", timedelta(minutes=1), _enqueue_reminders))
        register_kind("task.assigned", _("A task is assigned to me"))
        register_kind("task.reminder", _("A task of mine is due soon"), default="email")
        register_kind("task.overdue", _("A task of mine is overdue"), default="email")
