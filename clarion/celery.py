"""The Celery application used when CLARION_TASKS=celery."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarion.settings")
app = Celery("clarion")
app.config_from_object("django.conf:settings", namespace="CELERY")
