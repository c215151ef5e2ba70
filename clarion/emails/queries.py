"""Reads for the email pages and the API: the list of designs, saved templates, the built-in
library, the file library, and the contacts offered for "Preview as contact"."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from clarion.core.permissions import has_capability, visible_to
from clarion.crm.models import Contact
from clarion.emails import library
from clarion.emails.models import Asset, Email

CAPABILITY = "marketing.manage"
PREVIEW_CONTACTS = 10
MAX_SEARCH = 100


def can_manage_email(user) -> bool:
    return has_capability(user, CAPABILITY)


def emails(*, kind: str = Email.Kind.EMAIL, search: str = "") -> QuerySet[Email]:
    """Designs of `kind`, most recently changed first, with their owner (one query)."""
    designs = Email.objects.filter(kind=kind).select_related("owner")
    search = " ".join(search.split())[:MAX_SEARCH]
    if search:
        designs = designs.filter(Q(name__icontains=search) | Q(subject__icontains=search))
    return designs


def saved_templates() -> QuerySet[Email]:
    return emails(kind=Email.Kind.TEMPLATE)


def assets() -> QuerySet[Asset]:
    return Asset.objects.all()


@dataclass(frozen=True)
class LibraryTemplate:
    """A built-in template, whatever shape the library module gives it."""

    key: str
    name: str
    category: str
    description: str
    subject: str
    preheader: str
    document: dict


def _field(template, name: str, default=""):
    if isinstance(template, dict):
        return template.get(name, default)
    return getattr(template, name, default)


def library_templates() -> list[LibraryTemplate]:
    """The built-in templates of clarion/emails/library, in the library's order."""
    source = library.TEMPLATES
    items = source.items() if isinstance(source, dict) else (
        (_field(template, "key") or _field(template, "slug"), template) for template in source)
    return [LibraryTemplate(
        key=str(key), name=str(_field(template, "name") or key),
        category=str(_field(template, "category")),
        description=str(_field(template, "description")),
        subject=str(_field(template, "subject")), preheader=str(_field(template, "preheader")),
        document=_field(template, "document", None) or {"settings": {}, "blocks": []},
    ) for key, template in items]


def library_template(key: str) -> LibraryTemplate | None:
    return next((template for template in library_templates() if template.key == key), None)


def preview_contacts(user, selected_id: int | None = None) -> list[Contact]:
    """A few contacts for the preview picker (the chosen one first); the search box beside it
    fetches others from the record picker, so this stays bounded at any size."""
    visible = visible_to(user, Contact.objects.all())
    recent = list(visible.order_by("-created_at", "-id")[:PREVIEW_CONTACTS])
    if selected_id and all(contact.pk != selected_id for contact in recent):
        recent = list(visible.filter(pk=selected_id)) + recent
    return recent


def preview_contact(user, contact_id) -> Contact | None:
    """The contact to preview as, if the user may see it."""
    try:
        contact_id = int(contact_id)
    except (TypeError, ValueError):
        return None
    return visible_to(user, Contact.objects.all()).filter(pk=contact_id).first()
