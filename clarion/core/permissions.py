"""The one place access is decided: capabilities granted by roles.

Views use `capability_required`; services and the API call `has_capability`. Record
visibility (own / team / all) builds on the same capabilities as the CRM arrives.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from clarion.core.capabilities import CAPABILITIES


def capabilities_of(user) -> frozenset[str]:
    """The capabilities a signed-in user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if not hasattr(user, "_clarion_capabilities"):
        role = user.role
        granted = set(role.capabilities) if role else set()
        if user.is_superuser:
            granted |= set(CAPABILITIES)
        user._clarion_capabilities = frozenset(granted)
    return user._clarion_capabilities


def has_capability(user, capability: str) -> bool:
    return capability in capabilities_of(user)


def capability_required(capability: str) -> Callable:
    """Sign-in required, then 403 unless the user's role grants `capability`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
