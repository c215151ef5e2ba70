"""The named capabilities roles grant, and the default roles Clarion ships with.

A capability is `<area>.<action>`; record capabilities come in `_own`, `_team` and `_all`
flavours, which `core.permissions` turns into record visibility.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

RECORD_AREAS = {
    "contacts": _("Contacts"),
    "companies": _("Companies"),
    "deals": _("Deals"),
    "tickets": _("Tickets"),
}
AREA_TITLES = {
    **RECORD_AREAS,
    "marketing": _("Marketing email"),
    "segments": _("Segments and lists"),
    "workflows": _("Workflows"),
    "forms": _("Forms and landing pages"),
    "reports": _("Reports"),
    "data": _("Import and export"),
    "settings": _("Settings"),
    "users": _("Users, teams and roles"),
    "api": _("API"),
}
SCOPES = {"own": _("own records"), "team": _("their teams' records"), "all": _("all records")}
VERBS = {"view": _("View"), "edit": _("Edit")}


def _record_capabilities() -> dict[str, str]:
    capabilities = {}
    for area, label in RECORD_AREAS.items():
        for verb, verb_label in VERBS.items():
            for scope, scope_label in SCOPES.items():
                capabilities[f"{area}.{verb}_{scope}"] = format_lazy(
                    "{}: {} ({})", label, verb_label, scope_label)
        capabilities[f"{area}.delete"] = format_lazy("{}: {}", label, _("Delete"))
    return capabilities


CAPABILITIES: dict[str, str] = {
    **_record_capabilities(),
    "marketing.manage": _("Create and send marketing email"),
    "segments.manage": _("Create and edit segments and lists"),
    "workflows.manage": _("Create and edit workflows"),
    "forms.manage": _("Create and edit forms and landing pages"),
    "reports.view": _("View reports and dashboards"),
    "reports.manage": _("Create and edit reports and dashboards"),
    "data.import": _("Import records"),
    "data.export": _("Export records"),
    "settings.manage": _("Manage settings, properties and integrations"),
    "users.manage": _("Invite users and manage teams and roles"),
    "api.manage": _("Create API keys"),
}


def _all(verb: str, scope: str) -> list[str]:
    return [f"{area}.{verb}_{scope}" for area in RECORD_AREAS]


DEFAULT_ROLES: dict[str, list[str]] = {
    "Admin": list(CAPABILITIES),
    "Marketing": [
        *_all("view", "all"), "contacts.edit_all", "companies.edit_all",
        "marketing.manage", "segments.manage", "workflows.manage", "forms.manage",
        "reports.view", "reports.manage", "data.import", "data.export",
    ],
    "Sales": [
        "contacts.view_all", "companies.view_all", "deals.view_own", "tickets.view_own",
        "contacts.edit_own", "companies.edit_own", "deals.edit_own", "reports.view",
    ],
    "Sales manager": [
        "contacts.view_all", "companies.view_all", "deals.view_all", "tickets.view_team",
        "contacts.edit_team", "companies.edit_team", "deals.edit_team", "deals.delete",
        "reports.view", "reports.manage", "data.export",
    ],
    "Support": [
        "contacts.view_all", "companies.view_all", "tickets.view_all", "tickets.edit_all",
        "contacts.edit_own", "reports.view",
    ],
    "Read-only": [*_all("view", "all"), "reports.view"],
}
