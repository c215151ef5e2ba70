"""Background entry points of the API: forgetting expired idempotency keys."""

from django.tasks import task
from django.utils import timezone

from clarion.api.models import IDEMPOTENCY_KEY_LIFETIME, IdempotentRequest


@task()
def prune_idempotency_keys() -> int:
    """Delete every user's expired keys (a user's own are also dropped on their next keyed
    request); returns how many."""
    cutoff = timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
