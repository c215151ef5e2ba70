"""Every write to API keys: creating, revoking, and noting when a key was last used."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.accounts.models import APIKey, hash_secret
from clarion.api.scopes import SCOPES, user_may_use

# Recording every request would turn each API read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidScopes(ValueError):
    pass


def validate_scopes(*, user, scopes: list[str]) -> list[str]:
    """The scopes in catalogue order, or InvalidScopes naming those the user may not grant."""
    unknown = [name for name in scopes if name not in SCOPES]
    if unknown:
        raise InvalidScopes(_("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(unknown)})
    refused = [name for name in scopes if not user_may_use(user, SCOPES[name])]
    if refused:
        raise InvalidScopes(_("Your role does not allow these scopes: %(scopes)s")
                            % {"scopes": ", ".join(refused)})
    return [name for name in SCOPES if name in scopes]


@transaction.atomic
def create_api_key(*, user, name: str, scopes: list[str]) -> tuple[APIKey, str]:
    """Create a key for `user`; returns the key and its full secret, which is never stored."""
    scopes = validate_scopes(user=user, scopes=scopes)
    while True:
        prefix, secret = APIKey.generate_secret()
        if not APIKey.objects.filter(prefix=prefix).exists():
            break
    key = APIKey.objects.create(name=name, user=user, prefix=prefix,
                                key_hash=hash_secret(secret), scopes=scopes)
    return key, secret


def revoke_api_key(*, key: APIKey) -> APIKey:
    """Revoke a key for good; revoking twice keeps the first time."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        APIKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=key.revoked_at)
    return key


def record_key_use(key: APIKey) -> None:
    """Note that the key was used, writing at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
