"""The one place access is decided: capabilities granted by roles.

Views use `capability_required`; services and the API call `has_capability`. Record
visibility (own / team / all) builds on the same capabilities as the CRM arrives.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from clarion.core.capabilities import CAPABILITIES


def capabilities_of(user) -> frozenset[str]:
    """The capabilities a signed-in user holds, cached on the user object for the request.
    A guest holds none, whatever their role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_guest(user):
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


# --- Record visibility ------------------------------------------------------------------
# A record model names its capability area (`capability_area = "contacts"`) and has an
# `owner`. A role grants `<area>.<verb>_own|_team|_all`; the widest grant wins.

WIDEST_FIRST = ("all", "team", "own")


def record_scope(user, area: str, verb: str) -> str | None:
    """The widest scope ("all", "team", "own") the user holds for `verb` on `area`."""
    held = capabilities_of(user)
    return next((scope for scope in WIDEST_FIRST if f"{area}.{verb}_{scope}" in held), None)


def _teammate_ids(user):
    """A subquery of the ids of everyone who shares a team with `user` (user included)."""
    memberships = get_user_model().teams.through.objects
    team_ids = memberships.filter(user_id=user.pk).values("team_id")
    return memberships.filter(team_id__in=team_ids).values("user_id")


def _restrict(queryset: QuerySet, user, scope: str | None) -> QuerySet:
    if scope == "all":
        return queryset
    if scope == "team":
        return queryset.filter(Q(owner_id=user.pk) | Q(owner_id__in=_teammate_ids(user)))
    if scope == "own":
        return queryset.filter(owner_id=user.pk)
    return queryset.none()


def visible_to(user, queryset: QuerySet, verb: str = "view") -> QuerySet:
    """The records of `queryset` the user may `verb` ("view" or "edit"): every list, search,
    export and API read goes through here. A guest sees exactly what was shared with them,
    and may edit nothing."""
    if is_guest(user):
        if verb != "view":
            return queryset.none()
        return queryset.filter(pk__in=granted_ids(user, queryset.model))
    area = queryset.model.capability_area
    return _restrict(queryset, user, record_scope(user, area, verb))


def can(user, action: str, obj) -> bool:
    """May the user view, comment on, edit or delete this record? Delete needs
    `<area>.delete` on top of the right to edit the record; commenting needs the right to
    view it. A guest may view and comment on what was shared with them, nothing more."""
    if is_guest(user):
        return action in ("view", "comment") and visible_to(
            user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    if action == "comment":
        action = "view"
    area = type(obj).capability_area
    if action == "delete":
        return has_capability(user, f"{area}.delete") and can(user, "edit", obj)
    scope = record_scope(user, area, action)
    if scope == "all":
        return True
    if obj.owner_id is not None and obj.owner_id == user.pk:
        return scope is not None
    if scope == "team":
        return _teammate_ids(user).filter(user_id=obj.owner_id).exists()
    return False


# --- Guest collaborators -------------------------------------------------------------------
# A guest (`user.is_guest`) is someone from outside the company invited to specific records or
# tasks. Core imports no app, so which ids were shared is answered by a lookup that accounts
# registers (`register_guest_grants`); until it does, guests see nothing.

GrantLookup = Callable[..., QuerySet]  # (user, model) -> a queryset of the granted ids
_grant_lookup: GrantLookup | None = None


def register_guest_grants(lookup: GrantLookup) -> None:
    global _grant_lookup
    _grant_lookup = lookup


def is_guest(user) -> bool:
    return bool(getattr(user, "is_guest", False)) and getattr(user, "is_authenticated", False)


def granted_ids(user, model) -> QuerySet | list:
    """The ids of `model` rows shared with the guest `user` and not revoked."""
    if _grant_lookup is None:
        return []
    return _grant_lookup(user, model)
