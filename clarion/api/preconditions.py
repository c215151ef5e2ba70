"""`If-Match` on updates: the client names the version it read, so a concurrent change is
refused (409) instead of overwritten."""

from django.http import HttpRequest
from ninja.errors import ValidationError


def expected_version(request: HttpRequest) -> int | None:
    """The version in `If-Match: "<version>"` (quotes and W/ optional), if sent."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    try:
        return int(header.removeprefix("W/").strip('"'))
    except ValueError:
        raise ValidationError([{"loc": ["header", "If-Match"], "type": "value_error",
                                "msg": "If-Match must be a version number, e.g. \"3\"."}]
                              ) from None
