"""The one token that stands for a message in every link a recipient gets.

Unsubscribe, preference-centre, open-pixel and click links carry `message_token(pk)`: the
message's id and an HMAC of it under SECRET_KEY, so tokens cannot be guessed or forged, and a
link works without a session or login. Computing one is a single HMAC: cheap enough for every
message of a large send.
"""

import hashlib
import hmac

from django.conf import settings
from django.utils.crypto import constant_time_compare

_SALT = b"clarion.sending.message-token"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAC_LENGTH = 22  # base-62 characters: about 131 bits


def message_token(message_pk: int) -> str:
    """`<id in base 62>-<mac>`, URL-safe."""
    encoded = _base62(message_pk)
    return f"{encoded}-{_mac(encoded)}"


def message_pk_from_token(token: str) -> int | None:
    """The message id a token stands for, or None when the token is malformed or forged."""
    encoded, separator, mac = token.partition("-")
    if not separator or not encoded or len(mac) != _MAC_LENGTH:
        return None
    if not constant_time_compare(mac, _mac(encoded)):
        return None
    try:
        return _from_base62(encoded)
    except ValueError:
        return None


def _mac(encoded: str) -> str:
    key = hashlib.sha256(_SALT + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, encoded.encode(), hashlib.sha256).digest()
    return _base62(int.from_bytes(digest, "big"))[:_MAC_LENGTH].rjust(_MAC_LENGTH, "0")


def _base62(number: int) -> str:
    if number < 0:
        raise ValueError("message ids are positive")
    digits = []
    while True:
        number, remainder = divmod(number, 62)
        digits.append(_DIGITS[remainder])
        if not number:
            return "".join(reversed(digits))


def _from_base62(text: str) -> int:
    number = 0
    for char in text:
        position = _DIGITS.find(char)
        if position < 0:
            raise ValueError(f"{char!r} is not a base-62 digit")
        number = number * 62 + position
    return number
