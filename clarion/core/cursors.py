"""Keyset-pagination cursors, one format for list pages, timelines and the API: the last
row's (sort value, id) as URL-safe JSON signed with the SECRET_KEY, so a client can neither
forge sort values nor read them back as anything but a token."""

import json
from datetime import datetime, time
from typing import Any

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder


class InvalidCursor(ValueError):
    """The text is not a cursor Clarion issued for this list."""


class _CursorEncoder(DjangoJSONEncoder):
    """Datetimes keep their microseconds (DjangoJSONEncoder rounds to milliseconds, which
    would skip rows created within the same millisecond as a page's last row)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


class _CursorSerializer:
    """JSON that also writes dates, datetimes, decimals and UUIDs (as strings)."""

    def dumps(self, obj: Any) -> bytes:
        return json.dumps(obj, cls=_CursorEncoder, separators=(",", ":")).encode()

    def loads(self, data: bytes) -> Any:
        return json.loads(data.decode())


def encode_cursor(value: Any, pk: Any, *, salt: str) -> str:
    """A signed token of (sort value, id); `salt` names the kind of list it belongs to."""
    return signing.dumps([value, pk], salt=salt, serializer=_CursorSerializer)


def decode_cursor(text: str, *, salt: str) -> tuple[Any, Any]:
    """The (sort value, id) of a cursor made by `encode_cursor` with the same salt."""
    try:
        value, pk = signing.loads(text, salt=salt, serializer=_CursorSerializer)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidCursor(text) from error
    return value, pk
