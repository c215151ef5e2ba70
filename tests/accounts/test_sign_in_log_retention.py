from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.accounts.models import LoginAttempt
from clarion.accounts.tasks import SIGN_IN_LOG_RETENTION, prune_sign_in_log

pytestmark = pytest.mark.django_db


def test_sign_in_attempts_older_than_the_retention_period_are_pruned():
    old = LoginAttempt.objects.create(email="a@example.com",
                                      at=timezone.now() - SIGN_IN_LOG_RETENTION - timedelta(1))
    recent = LoginAttempt.objects.create(email="a@example.com")

    result = prune_sign_in_log.enqueue()

    assert result.return_value == 1
    assert list(LoginAttempt.objects.all()) == [recent]
    assert not LoginAttempt.objects.filter(pk=old.pk).exists()
