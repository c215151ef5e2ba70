"""API key authentication, scope checks and the per-key rate limit.

Every endpoint declares what it needs with an `APIKeyAuth` (usually through `scope_required`):

    router = Router(auth=scope_required("contacts:read"))     # default for the router
    @router.post("/", auth=scope_required("contacts:write"))   # per operation

A request passes when the key is valid, its user is active and still holds `api.manage`, the
key carries the scope, and the user holds a capability the scope stands on (plus `capability`
when one is named).
"""


from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from clarion.accounts.models import APIKey
from clarion.api import queries, services
from clarion.api.errors import Forbidden, NotAuthenticated, RateLimited
from clarion.api.scopes import get_scope, user_may_use
from clarion.core.http import client_ip
from clarion.core.permissions import has_capability
from clarion.core.ratelimit import over_limit

RATE_WINDOW_SECONDS = 60
API_CAPABILITY = "api.manage"


class APIKeyAuth(HttpBearer):
    """Authenticate with `Authorization: Bearer clk_…` or `X-API-Key: clk_…`."""

    openapi_bearerFormat = "clk_…"
    openapi_description = "An API key from Settings → API keys, sent as a bearer token."

    def __init__(self, scope: str | None = None, capability: str | None = None) -> None:
        self.scope = get_scope(scope) if scope else None
        self.capability = capability
        super().__init__()

    def __call__(self, request: HttpRequest) -> APIKey:
        token = _token_from(request)
        if not token:
            raise NotAuthenticated()
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> APIKey:
        key = queries.key_for_token(token)
        if key is None:
            # Guessing keys costs the guesser's address, so it can't go on unbounded.
            enforce_rate_limit(f"ip:{client_ip(request)}")
            raise NotAuthenticated(_("The API key is malformed, unknown or revoked."))
        enforce_rate_limit(f"key:{key.pk}")
        refusal = owner_refusal(key)
        if refusal:
            raise NotAuthenticated(refusal)
        self.check_permission(key)
        services.record_key_use(key)
        request.user = key.user
        return key

    def check_permission(self, key: APIKey) -> None:
        if self.scope is not None:
            if self.scope.name not in key.scopes:
                raise Forbidden(_("This API key lacks the scope “%(scope)s”.")
                                % {"scope": self.scope.name})
            if not user_may_use(key.user, self.scope):
                raise Forbidden(_("The key's user is not allowed to use “%(scope)s”.")
                                % {"scope": self.scope.name})
        if self.capability and not has_capability(key.user, self.capability):
            raise Forbidden(_("The key's user is not allowed to do this."))


def owner_refusal(key: APIKey) -> str:
    """Why the key's owner may no longer use any key ("" when they may): keys stop working
    as soon as their owner is deactivated or loses `api.manage`, and work again if it's
    given back."""
    if not key.user.is_active:
        return _("The API key's owner has been deactivated.")
    if not has_capability(key.user, API_CAPABILITY):
        return _("The API key's owner may no longer use the API.")
    return ""


def scope_required(scope: str, *, capability: str | None = None) -> APIKeyAuth:
    """The `auth=` for an endpoint that needs `scope` (and optionally one more capability)."""
    return APIKeyAuth(scope, capability=capability)


def _token_from(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _separator, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-API-Key", "").strip()


def rate_limit() -> int:
    return settings.CLARION_API_RATE_LIMIT


def enforce_rate_limit(bucket: str) -> None:
    """A fixed one-minute window per bucket (`key:<id>` for a valid key, `ip:<address>` for
    requests with an invalid one), counted in the cache (atomic INCR on Redis)."""
    retry_after = over_limit(f"api:{bucket}", rate_limit(), RATE_WINDOW_SECONDS)
    if retry_after is not None:
        raise RateLimited(retry_after)
