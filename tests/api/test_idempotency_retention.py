from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.api.models import IDEMPOTENCY_KEY_LIFETIME, IdempotentRequest
from clarion.api.tasks import prune_idempotency_keys
from clarion.core import scheduler

pytestmark = pytest.mark.django_db


def test_expired_keys_of_every_user_are_forgotten(admin_user, sales_user):
    expired = timezone.now() - IDEMPOTENCY_KEY_LIFETIME - timedelta(minutes=1)
    for user in (admin_user, sales_user):
        old = IdempotentRequest.objects.create(user=user, key="old", method="POST", path="/x")
        IdempotentRequest.objects.filter(pk=old.pk).update(created_at=expired)
    fresh = IdempotentRequest.objects.create(user=sales_user, key="new", method="POST",
                                             path="/x")

    result = prune_idempotency_keys.enqueue()

    assert result.return_value == 2
    assert list(IdempotentRequest.objects.all()) == [fresh]


def test_the_scheduler_runs_the_clean_up():
    assert "prune-idempotency-keys" in scheduler.JOBS
