"""The named capabilities roles grant, and the default roles Clarion ships with.

A capability is `<area>.<action>`; record capabilities come in `_own`, `_team` and `_all`
flavours, which `core.permissions` turns into record visibility.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

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
    "tasks": _("Tasks"),
}
SCOPES = {"own": _("own records"), "team": _("their teams' records"), "all": _("all records")}
VERBS = {"view": _("View"), "edit": _("Edit")}


def _record_actions() -> dict[str, str]:
    """What each record capability allows, without its area: "View (own records)"."""
    actions = {}
    for area in RECORD_AREAS:
        for verb, verb_label in VERBS.items():
            for scope, scope_label in SCOPES.items():
                actions[f"{area}.{verb}_{scope}"] = format_lazy(
                    # Translators: a record capability, e.g. "View (own records)".
                    _("{verb} ({scope})"), verb=verb_label, scope=scope_label)
        actions[f"{area}.delete"] = _("Delete")
    return actions


# Labels of record capabilities under their area's heading (the role form's fieldsets).
RECORD_ACTIONS: dict[str, str] = _record_actions()


def _record_capabilities() -> dict[str, str]:
    return {
        # Translators: a capability of an area, e.g. "Contacts: View (own records)".
        name: format_lazy(_("{area}: {action}"), area=RECORD_AREAS[name.split(".", 1)[0]],
                          action=action)
        for name, action in RECORD_ACTIONS.items()
    }


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
    # Everyone works on their own tasks and their teams' queues; these widen what they see.
    "tasks.view_team": _("See and work on the tasks of their teams' members"),
    "tasks.view_all": _("See and work on everyone's tasks"),
}


def _all(verb: str, scope: str) -> list[str]:
    return [f"{area}.{verb}_{scope}" for area in RECORD_AREAS]


# The shipped roles' names are stored in English; `Role.display_name` translates them (marked
# with gettext_noop so they reach the catalogue) while a role keeps its shipped name.
DEFAULT_ROLES: dict[str, list[str]] = {
    gettext_noop("Admin"): list(CAPABILITIES),
    gettext_noop("Marketing"): [
        *_all("view", "all"), "contacts.edit_all", "companies.edit_all",
        "marketing.manage", "segments.manage", "workflows.manage", "forms.manage",
        "reports.view", "reports.manage", "data.import", "data.export",
    ],
    gettext_noop("Sales"): [
        "contacts.view_all", "companies.view_all", "deals.view_own", "tickets.view_own",
        "contacts.edit_own", "companies.edit_own", "deals.edit_own", "reports.view",
    ],
    gettext_noop("Sales manager"): [
        "contacts.view_all", "companies.view_all", "deals.view_all", "tickets.view_team",
        "contacts.edit_team", "companies.edit_team", "deals.edit_team", "deals.delete",
        "reports.view", "reports.manage", "data.export", "tasks.view_team",
    ],
    gettext_noop("Support"): [
        "contacts.view_all", "companies.view_all", "tickets.view_all", "tickets.edit_all",
        "contacts.edit_own", "reports.view",
    ],
    gettext_noop("Read-only"): [*_all("view", "all"), "reports.view"],
}
# Stored in English as each shipped role's description, shown translated while unchanged.
DEFAULT_ROLE_DESCRIPTIONS: dict[str, str] = {
    "Admin": gettext_noop("Every capability."),
    "Marketing": gettext_noop("Views all records and edits contacts and companies; runs "
                              "marketing email, segments, workflows and forms; reports, "
                              "import and export."),
    "Sales": gettext_noop("Views all contacts and companies, and their own deals and "
                          "tickets; edits their own records; views reports."),
    "Sales manager": gettext_noop("Views all contacts, companies and deals; edits their "
                                  "teams' records and deletes deals; reports and export."),
    "Support": gettext_noop("Views all contacts and companies; handles all tickets; edits "
                            "their own contacts; views reports."),
    "Read-only": gettext_noop("Views all records and reports; changes nothing."),
}
