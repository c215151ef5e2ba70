import pytest
from django.utils.functional import Promise

from clarion.accounts.models import APIKey, Invitation, LoginAttempt, RecoveryCode


@pytest.mark.parametrize("model", [RecoveryCode, Invitation, APIKey, LoginAttempt])
def test_every_field_has_a_translatable_name(model):
    unnamed = [field.name for field in model._meta.get_fields()
               if field.concrete and not field.auto_created
               and not isinstance(field.verbose_name, Promise)]

    assert unnamed == []


def test_the_sign_in_log_has_a_readable_name():
    assert str(LoginAttempt._meta.verbose_name) == "sign-in attempt"
    assert str(LoginAttempt._meta.verbose_name_plural) == "sign-in attempts"
