"""Background entry points of accounts: sign-in log retention."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from clarion.accounts.models import LoginAttempt

SIGN_IN_LOG_RETENTION = timedelta(days=90)


@task()
def prune_sign_in_log() -> int:
    """Delete sign-in attempts older than the retention period; returns how many."""
    deleted, _ = LoginAttempt.objects.filter(
        at__lt=timezone.now() - SIGN_IN_LOG_RETENTION).delete()
    return deleted
