"""Background machinery that `clarion run` starts inside the web process."""

import logging
import threading

from django.conf import settings
from django.utils.crypto import get_random_string

from clarion.core import scheduler

logger = logging.getLogger(__name__)


def start_worker_thread() -> threading.Thread | None:
    """Run a database-queue worker in a daemon thread (only for the database backend)."""
    if settings.CLARION_TASKS != "db":
        logger.info("Tasks go to %s; start `clarion worker` separately", settings.CLARION_TASKS)
        return None
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(queue_names=["*"], excluded_queue_names=[], interval=1, batch=False,
                    backend_name="default", startup_delay=False, max_tasks=None,
                    worker_id=f"embedded-{get_random_string(12)}")
    thread = threading.Thread(target=worker.run, name="clarion-worker", daemon=True)
    thread.start()
    return thread


def start_scheduler_thread(stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=scheduler.run_forever, kwargs={"stop": stop},
                              name="clarion-scheduler", daemon=True)
    thread.start()
    return thread
