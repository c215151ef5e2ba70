"""Reads for the record pages: a record's displayed fields and its associations."""

from dataclasses import dataclass, field

from django.db import models

from clarion.core.permissions import can, visible_to
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact, Deal
from clarion.crm.objects import OBJECT_TYPES, ObjectType, object_type_for
from clarion.crm.pickers import picker_url
from clarion.crm.timeline import FieldLabels

CANDIDATE_LIMIT = 200


def column_value(record: models.Model, name: str):
    """What a detail row shows for one core field."""
    model_field = record._meta.get_field(name)
    if model_field.choices:
        return getattr(record, f"get_{name}_display")() or "—"
    value = getattr(record, name)
    if value is None or value == "":
        return "—"
    return value


@dataclass
class FieldRow:
    label: str
    value: object
    name: str = ""


@dataclass
class PropertyGroupRows:
    title: str
    rows: list[FieldRow] = field(default_factory=list)


def core_rows(object_type: ObjectType, record) -> list[FieldRow]:
    labels = FieldLabels(object_type)
    return [FieldRow(labels.label(name), column_value(record, name), name)
            for name in object_type.form_fields if name not in ("contacts", "company")]


def property_rows(object_type: ObjectType, record) -> list[PropertyGroupRows]:
    labels = FieldLabels(object_type)
    groups: dict[str, PropertyGroupRows] = {}
    definitions = PropertyDefinition.objects.filter(object_type=object_type.name,
                                                    archived=False)
    for definition in definitions:
        title = definition.group or ""
        groups.setdefault(title, PropertyGroupRows(title)).rows.append(FieldRow(
            definition.label,
            labels.display(definition.name, (record.properties or {}).get(definition.name)),
            definition.name))
    return list(groups.values())


@dataclass
class Association:
    """One kind of linked record on a detail page, e.g. a company's contacts."""

    object_type: ObjectType
    records: list
    many: bool
    can_change: bool
    candidates: list = field(default_factory=list)
    picker_url: str = ""  # set when there may be more candidates than listed: search them


# (record type, linked type) → how to read the linked records and whether one or many.
def _linked(record, other: ObjectType):
    if isinstance(record, Contact):
        if other.model is Company:
            return Company.objects.filter(pk=record.company_id), False
        return record.deals.all(), True
    if isinstance(record, Company):
        return other.model.objects.filter(company=record), True
    if other.model is Company:
        return Company.objects.filter(pk=record.company_id), False
    return record.contacts.all(), True


ASSOCIATED_TYPES = {"contact": ("company", "deal"), "company": ("contact", "deal"),
                    "deal": ("company", "contact")}


def associations(record, user) -> list[Association]:
    """The record's linked records the user may see, with what may be linked next."""
    result = []
    for other_name in ASSOCIATED_TYPES[object_type_for(record).name]:
        other = OBJECT_TYPES[other_name]
        linked, many = _linked(record, other)
        records = list(visible_to(user, linked.select_related("owner"))
                       .order_by("-id")[:CANDIDATE_LIMIT])
        holder_is_record = isinstance(record, Deal) or (
            isinstance(record, Contact) and other.model is Company)
        can_change = can(user, "edit", record) if holder_is_record else \
            _may_edit_some(user, other)
        candidates, picker = [], ""
        if can_change:
            verb = "edit" if not holder_is_record else "view"
            candidates = list(visible_to(user, other.model.objects.all(), verb)
                              .exclude(pk__in=[r.pk for r in records])
                              .order_by("-created_at")[:CANDIDATE_LIMIT])
            if len(candidates) == CANDIDATE_LIMIT:
                picker = picker_url(other.name, "other", verb)
        result.append(Association(other, records, many, can_change, candidates, picker))
    return result


def _may_edit_some(user, other: ObjectType) -> bool:
    from clarion.core.permissions import record_scope

    return record_scope(user, other.model.capability_area, "edit") is not None
