"""Writes of email designs: create, save (with the version the editor started from), duplicate,
delete, start from a built-in or saved template and save as a template.

Every document is validated and sanitized by `blocks.validate_document` before it is stored,
so what the database holds is always a valid, clean block document.
"""

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.emails import blocks
from clarion.emails.models import Email, empty_document


class InvalidDocument(ValueError):
    """The block document can't be saved. Each problem names the block by its index path
    ([2], or [1, 0, 3] for block 3 of column 0 of block 1; [] for the whole email), the field
    and a message a person can act on."""

    def __init__(self, problems: list[dict]) -> None:
        self.problems = problems
        self.message = problems[0]["message"] if problems else ""
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return self.problems[0] if self.problems else {"block": [], "field": "",
                                                       "message": ""}


BLOCK_PATH = re.compile(r"^blocks\[(\d+)\](?:\.columns\[(\d+)\](?:\.blocks\[(\d+)\])?)?")


def block_path(path: str) -> list[int]:
    """[1, 0, 3] from "blocks[1].columns[0].blocks[3].alt" (a schema error's path)."""
    match = BLOCK_PATH.match(path or "")
    if not match:
        return []
    indexes = [int(group) for group in match.groups() if group is not None]
    return indexes if len(indexes) != 2 else indexes[:1]


class VersionConflict(Exception):
    """Someone saved the email after the editor loaded it."""

    def __init__(self, current: Email) -> None:
        self.current = current
        super().__init__(_("This email was changed by someone else since you opened it."))


def clean_document(data) -> dict:
    """The validated, sanitized form of a document; InvalidDocument naming its problems."""
    if data is None:
        return empty_document()
    try:
        document = blocks.validate_document(data)
    except blocks.DocumentError as error:
        raise InvalidDocument([{"block": block_path(problem.get("path", "")),
                                "field": problem.get("field", ""),
                                "message": problem["message"]}
                               for problem in error.problems]) from None
    return document.model_dump(mode="json")


def create_email(*, actor, name: str, subject: str = "", preheader: str = "",
                 document: dict | None = None, kind: str = Email.Kind.EMAIL,
                 category: str = "") -> Email:
    """A new design (or saved template) owned by `actor`."""
    now = timezone.now()
    return Email.objects.create(
        name=name.strip() or _("Untitled email"), kind=kind, category=category,
        subject=subject, preheader=preheader, document=clean_document(document), owner=actor,
        created_at=now, updated_at=now)


def save_email(email: Email, *, actor, version: int, **changes) -> Email:
    """Store the editor's changes (name, subject, preheader, document) if nobody saved the
    email since `version`; VersionConflict (holding the current email) otherwise."""
    allowed = {key: value for key, value in changes.items()
               if key in {"name", "subject", "preheader", "document", "category"}}
    if "document" in allowed:
        allowed["document"] = clean_document(allowed["document"])
    if "name" in allowed:
        allowed["name"] = allowed["name"].strip() or email.name
    with transaction.atomic():
        updated = Email.objects.filter(pk=email.pk, version=version).update(
            **allowed, version=F("version") + 1, updated_at=timezone.now())
        current = Email.objects.select_related("owner").get(pk=email.pk)
    if not updated:
        raise VersionConflict(current)
    return current


def duplicate_email(email: Email, *, actor, name: str = "",
                    kind: str = Email.Kind.EMAIL) -> Email:
    """A copy of `email` (a design or a saved template) owned by `actor`."""
    return create_email(
        actor=actor, name=name or _("Copy of %(name)s") % {"name": email.name},
        subject=email.subject, preheader=email.preheader, document=email.document, kind=kind,
        category=email.category if kind == Email.Kind.TEMPLATE else "")


def save_as_template(email: Email, *, actor, name: str, category: str = "") -> Email:
    template = duplicate_email(email, actor=actor, name=name, kind=Email.Kind.TEMPLATE)
    if category:
        Email.objects.filter(pk=template.pk).update(category=category)
        template.category = category
    return template


def create_from_library(template, *, actor, name: str = "") -> Email:
    """A new email from a built-in template (queries.LibraryTemplate)."""
    return create_email(actor=actor, name=name or template.name, subject=template.subject,
                        preheader=template.preheader, document=template.document)


def delete_email(email: Email, *, actor) -> None:
    email.delete()
