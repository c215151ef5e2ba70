"""The catalogue of API key scopes and the user capabilities each one stands on.

A scope is `<area>:read` or `<area>:write`. A key acts only within its scopes AND within what its
user may do: each scope names the capabilities of which the user must hold at least one.
Record visibility (own / team / all) is then applied by each endpoint through
`core.permissions`, exactly as in the web UI.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clarion.core.permissions import capabilities_of


@dataclass(frozen=True)
class Scope:
    name: str
    label: str | Promise
    # The user needs at least one of these capabilities for the scope to be usable.
    capabilities: tuple[str, ...]

    @property
    def area(self) -> str:
        return self.name.partition(":")[0]

    @property
    def access(self) -> str:
        return self.name.partition(":")[2]


# The areas scopes belong to, in the order pages list them.
AREAS = {
    "contacts": _("Contacts"),
    "companies": _("Companies"),
    "deals": _("Deals"),
    "tickets": _("Tickets"),
    "marketing": _("Marketing email"),
    "segments": _("Segments and lists"),
    "workflows": _("Workflows"),
    "forms": _("Forms"),
    "reports": _("Reports"),
    "users": _("Users and teams"),
    "webhooks": _("Webhooks"),
    "tasks": _("Tasks"),
    "notifications": _("Notifications"),
    "chat": _("Chat"),
}


def _reach(area: str, verb: str) -> tuple[str, ...]:
    return tuple(f"{area}.{verb}_{reach}" for reach in ("own", "team", "all"))


SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in [
        Scope("contacts:read", _("Read contacts"), _reach("contacts", "view")),
        Scope("contacts:write", _("Create and edit contacts"), _reach("contacts", "edit")),
        Scope("companies:read", _("Read companies"), _reach("companies", "view")),
        Scope("companies:write", _("Create and edit companies"), _reach("companies", "edit")),
        Scope("deals:read", _("Read deals"), _reach("deals", "view")),
        Scope("deals:write", _("Create and edit deals"), _reach("deals", "edit")),
        Scope("tickets:read", _("Read tickets"), _reach("tickets", "view")),
        Scope("tickets:write", _("Create and edit tickets"), _reach("tickets", "edit")),
        Scope("marketing:read", _("Read marketing email and campaigns"), ("marketing.manage",)),
        Scope("marketing:write", _("Create and send marketing email"), ("marketing.manage",)),
        Scope("segments:read", _("Read segments and lists"),
              ("segments.manage", *_reach("contacts", "view"))),
        Scope("segments:write", _("Create and edit segments and lists"), ("segments.manage",)),
        Scope("workflows:read", _("Read workflows"), ("workflows.manage",)),
        Scope("workflows:write", _("Create and edit workflows"), ("workflows.manage",)),
        Scope("forms:read", _("Read forms and submissions"), ("forms.manage",)),
        Scope("forms:write", _("Create and edit forms"), ("forms.manage",)),
        Scope("reports:read", _("Read reports and dashboards"), ("reports.view",)),
        Scope("users:read", _("Read users and teams"), ("users.manage",)),
        Scope("webhooks:read", _("Read webhooks"), ("settings.manage",)),
        Scope("webhooks:write", _("Create and edit webhooks"), ("settings.manage",)),
        # Every user has their own tasks, so the task scopes stand on no capability.
        Scope("tasks:read", _("Read tasks"), ()),
        Scope("tasks:write", _("Create, edit and complete tasks"), ()),
        # Everyone has their own notifications.
        Scope("notifications:read", _("Read your notifications"), ()),
        Scope("notifications:write", _("Mark your notifications read"), ()),
        # Everyone may chat; what they read is decided per conversation.
        Scope("chat:read", _("Read your conversations and messages"), ()),
        Scope("chat:write", _("Post messages and manage your conversations"), ()),
    ]
}


class UnknownScope(ValueError):
    pass


def get_scope(name: str) -> Scope:
    try:
        return SCOPES[name]
    except KeyError:
        raise UnknownScope(name) from None


def user_may_use(user, scope: Scope) -> bool:
    """True when the user holds a capability the scope stands on (any signed-in user for a
    scope that stands on none)."""
    if not scope.capabilities:
        return bool(getattr(user, "is_authenticated", False) and user.is_active)
    return bool(capabilities_of(user).intersection(scope.capabilities))


def scopes_for_user(user) -> list[Scope]:
    """The scopes a key of this user can usefully carry, in catalogue order."""
    return [scope for scope in SCOPES.values() if user_may_use(user, scope)]
