"""Reads for the API: finding the key behind a token, listing a user's keys."""

import hmac
import re

from django.db.models import QuerySet

from clarion.accounts.models import APIKey, hash_secret

# clk_<8 hex prefix>_<url-safe secret>, as made by APIKey.generate_secret().
TOKEN_PATTERN = re.compile(
    rf"clk_(?P<prefix>[0-9a-f]{{{APIKey.PREFIX_LENGTH}}})_[A-Za-z0-9_-]{{16,}}")


def key_for_token(token: str) -> APIKey | None:
    """The unrevoked key a token belongs to, or None when it is malformed, unknown or revoked.
    Hashes are compared in constant time. Whether its owner may still use it is the caller's
    question (`auth.owner_refusal`)."""
    match = TOKEN_PATTERN.fullmatch(token)
    if match is None:
        return None
    token_hash = hash_secret(token)
    key = (APIKey.objects.select_related("user", "user__role").order_by()
           .filter(prefix=match["prefix"]).first())
    if key is None or not hmac.compare_digest(key.key_hash, token_hash):
        return None
    if key.revoked_at is not None:
        return None
    return key


def keys_of(user) -> QuerySet[APIKey]:
    return APIKey.objects.filter(user=user).order_by("-created_at", "-id")
