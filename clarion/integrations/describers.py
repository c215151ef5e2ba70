"""Timeline sentences for records an import created or updated."""

from django.utils.translation import gettext as _

from clarion.crm.extensions import register_describer


def describe_imported(event) -> str:
    data = event.data or {}
    if data.get("action") == "updated":
        return _("Updated by the import of “%(name)s”") % {"name": data.get("name", "?")}
    return _("Created by the import of “%(name)s”") % {"name": data.get("name", "?")}


def register_describers() -> None:
    for kind in ("contact.imported", "company.imported", "deal.imported"):
        register_describer(kind, describe_imported)
