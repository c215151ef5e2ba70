"""What segments add to the CRM's pages: the "Segments and lists" panel of contact pages and
the "Add to list" action of contact lists (imported by the app's `ready()`)."""

from django.utils.translation import gettext_lazy as _

from clarion.crm.extensions import (
    ListAction,
    RecordPanel,
    register_list_action,
    register_record_panel,
)


def memberships_panel(request, object_type, record) -> dict | None:
    """The segments and lists the contact belongs to (every member counts: the viewer
    already sees the contact)."""
    from clarion.segments import queries

    if not queries.can_view_segments(request.user):
        return None
    return {"memberships": list(queries.memberships_of(record))}


def register() -> None:
    register_record_panel(RecordPanel(
        name="segments", template="segments/record_panel.html", context=memberships_panel,
        types=("contact",), order=50))
    register_list_action(ListAction(
        name="add-to-list", label=_("Add to list"), url_name="segments:add_to_list",
        types=("contact",), capability="segments.manage",
        dialog="segments/add_to_list_dialog.html", order=150))


register()
