"""Writes to custom property definitions. Properties are archived, never deleted: their values
stay in the records' JSON and come back if the property is restored."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clarion.core.events import emit
from clarion.core.properties.models import PropertyDefinition, PropertyType

SELECT_TYPES = (PropertyType.SELECT, PropertyType.MULTISELECT)


def derive_name(object_type: str, label: str) -> str:
    """An internal name from the label ("Job level" → "job_level"), unique for the type."""
    base = slugify(label).replace("-", "_")[:56] or "property"
    if not base[0].isalpha():
        base = f"p_{base}"[:56]
    taken = set(PropertyDefinition.objects.filter(object_type=object_type,
                                                  name__startswith=base)
                .values_list("name", flat=True))
    name, counter = base, 2
    while name in taken:
        name, counter = f"{base}_{counter}", counter + 1
    return name


def parse_options(text: str) -> list[dict]:
    """Options from one line each: "Label", or "value | Label" to keep a stored value."""
    options, seen = [], set()
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, _bar, label = line.partition("|")
        value, label = (value.strip(), label.strip()) if _bar else (
            slugify(line).replace("-", "_") or line, line)
        if value in seen:
            raise ValidationError({"options": _("Options: “%(value)s” appears twice.")
                                   % {"value": value}})
        seen.add(value)
        options.append({"value": value, "label": label or value})
    return options


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{option['value']} | {option['label']}" for option in options)


def _check(definition: PropertyDefinition) -> None:
    if definition.type in SELECT_TYPES and not definition.options:
        raise ValidationError({"options": _("Options: a dropdown or checkbox property needs "
                                            "at least one option.")})
    pattern = (definition.validation or {}).get("pattern")
    if pattern:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValidationError({"pattern": _("Pattern: not a valid regular expression "
                                                "(%(error)s).") % {"error": error}}) from None
    definition.full_clean(exclude=["options", "validation"])


@transaction.atomic
def create_property(*, actor, object_type: str, label: str, type: str, name: str = "",
                    group: str = "", description: str = "", options: list | None = None,
                    required: bool = False, unique: bool = False,
                    validation: dict | None = None) -> PropertyDefinition:
    """Define a new custom property of `object_type` (its name derived from the label)."""
    position = PropertyDefinition.objects.filter(object_type=object_type).count()
    definition = PropertyDefinition(
        object_type=object_type, label=label, type=type,
        name=name or derive_name(object_type, label), group=group, description=description,
        options=options or [], required=required, unique=unique,
        validation=validation or {}, position=position)
    _check(definition)
    definition.save()
    emit("property.created", subject=definition, actor=actor,
         data={"object_type": object_type, "name": definition.name})
    return definition


EDITABLE = ("label", "group", "description", "options", "required", "unique", "validation")


@transaction.atomic
def update_property(definition: PropertyDefinition, *, actor, **changes) -> PropertyDefinition:
    """Change a property's label, group, description, options or rules (not its name or
    type: stored values depend on those)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(definition, field, value)
    _check(definition)
    definition.save()
    emit("property.updated", subject=definition, actor=actor,
         data={"object_type": definition.object_type, "name": definition.name,
               "fields": sorted(changes)})
    return definition


@transaction.atomic
def set_archived(definition: PropertyDefinition, *, actor, archived: bool) -> None:
    """Archive (hide from forms and pages, values kept) or restore a property."""
    definition.archived = archived
    definition.save(update_fields=["archived"])
    emit("property.archived" if archived else "property.restored", subject=definition,
         actor=actor, data={"object_type": definition.object_type, "name": definition.name})
