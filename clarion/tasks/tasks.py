"""Background entry points of tasks: the reminder sweep the scheduler enqueues every minute."""

from django.tasks import task


@task()
def send_task_reminders() -> dict[str, int]:
    """Send due reminders and overdue notices (safe to run twice or concurrently)."""
    from clarion.tasks.reminders import send_reminders

    return send_reminders()
