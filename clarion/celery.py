"""The Celery application used when CLARION_TASKS=celery, and the django.tasks backend on it.

Tasks are plain `django.tasks` functions; the backend registers each with this app when its
module is imported, and the worker imports every app's `tasks.py` through autodiscovery.
"""

import os

from celery import Celery
from django.tasks.base import TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django_tasks_celery import CeleryBackend as BaseCeleryBackend

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarion.settings")
app = Celery("clarion")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class CeleryBackend(BaseCeleryBackend):
    """django-tasks-celery 0.1, made safe to ask about a task that has not finished.

    Upstream raises AttributeError when no result backend is configured, and returns a result
    without its task for a task still waiting in the queue (so `refresh()` then fails).
    """

    def get_result(self, result_id: str) -> TaskResult:
        try:
            result = super().get_result(result_id)
        except (AttributeError, NotImplementedError) as error:
            raise TaskResultDoesNotExist(result_id) from error
        if result.task is None and result.status != TaskResultStatus.SUCCESSFUL:
            # Waiting in the queue: Celery has not recorded which task it is yet.
            raise TaskResultDoesNotExist(result_id)
        return result
