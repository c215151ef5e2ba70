"""`Idempotency-Key` on POST: the first request with a key runs and its answer is stored for
24 hours; a retry with the same key gets that answer again instead of creating a duplicate.

    status, body = run_once(request, lambda: (201, ContactOut.from_orm(contact).model_dump()))

The key row is inserted in the same transaction as the change, so a failed request stores
nothing (a retry runs again) and two concurrent requests with one key cannot both run: the
second waits on the unique index, then replays the first one's answer.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.api.errors import APIError
from clarion.api.models import IDEMPOTENCY_KEY_LIFETIME, IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class KeyReused(APIError):
    status, code = 422, "validation_error"


def run_once(request: HttpRequest, produce: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Run `produce` (which returns a status and a JSON-ready body) unless this user already
    sent the request's `Idempotency-Key`; then answer what the first request got."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return produce()
    if len(key) > MAX_KEY_LENGTH:
        raise KeyReused(_("The Idempotency-Key header is longer than 255 characters."),
                        [{"field": "header.Idempotency-Key", "type": "too_long",
                          "message": _("At most 255 characters.")}])
    with transaction.atomic():
        _forget_expired(request.user)
        try:
            with transaction.atomic():
                entry = IdempotentRequest.objects.create(
                    user=request.user, key=key, method=request.method, path=request.path)
        except IntegrityError:
            return _replay(IdempotentRequest.objects.get(user=request.user, key=key), request)
        status, body = produce()
        entry.status_code, entry.response = status, body
        entry.save(update_fields=["status_code", "response"])
        return status, body


def _forget_expired(user) -> None:
    cutoff = timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    IdempotentRequest.objects.filter(user=user, created_at__lt=cutoff).delete()


def _replay(entry: IdempotentRequest, request: HttpRequest) -> tuple[int, dict]:
    if entry.method != request.method or entry.path != request.path:
        raise KeyReused(_("This Idempotency-Key was already used for a different request."),
                        [{"field": "header.Idempotency-Key", "type": "reused",
                          "message": _("Use a new key for each new request.")}])
    return entry.status_code, entry.response
