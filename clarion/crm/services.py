"""Every write to CRM records. Each function is one transaction that changes the record and
emits the events describing the change (the timeline and field history read those events).

    create_record(model, actor=…, values={…})            -> record    `<type>.created`
    update_record(record, actor=…, values={…}, …)         -> record    `<type>.property_changed`
                                                                        per changed field
    delete_record(record, actor=…)                                      `<type>.deleted`
    bulk_set_field(queryset, actor=…, type_name=…, field=…, value=…)   one event per record
    bulk_delete(queryset, actor=…, type_name=…)                          whose value changed

`values` mixes core fields (column names) and custom properties (names of PropertyDefinition
rows); both are validated by the caller's form or API schema, and custom values are stored in
the record's `properties` JSON.
"""

import json
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import F, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.events import NewEvent, emit, emit_many
from clarion.core.filters import Field
from clarion.crm.models import LIFECYCLE_ORDER, Company, Contact, Deal, Record


class StaleRecord(Exception):
    """Someone else saved the record since this edit started (optimistic concurrency)."""

    def __init__(self, record: Record, changed_fields: list[str]):
        self.record = record
        self.changed_fields = changed_fields
        super().__init__(_("Someone else changed this record while you were editing it."))


class LifecycleMovesBackward(Exception):
    """The lifecycle stage may only move back when a person says so explicitly."""


def object_type(record_or_model) -> str:
    """The name used in event kinds and property definitions: "contact", "company", "deal"."""
    return record_or_model._meta.model_name


def _event_value(value):
    """A JSON-safe form of a field value for the event's data."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _contact_id(record: Record) -> int | None:
    return record.pk if isinstance(record, Contact) else None


def _split_values(model, values: dict) -> tuple[dict, dict]:
    """Separate column fields from custom properties."""
    column_names = {field.name for field in model._meta.get_fields()
                    if field.concrete or field.many_to_many and not field.auto_created}
    columns = {name: value for name, value in values.items() if name in column_names}
    custom = {name: value for name, value in values.items() if name not in column_names}
    return columns, custom


# Addresses at these providers say nothing about where a person works.
FREE_EMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
    "gmx.com", "gmx.de", "web.de", "mail.ru", "yandex.ru", "qq.com", "163.com", "126.com",
    "sina.com", "foxmail.com", "yeah.net", "aliyun.com",
})


def _link_company_by_domain(contact: Contact) -> None:
    """A new contact without a company joins the company whose domain matches its email
    (not for free email providers)."""
    if contact.company_id or "@" not in contact.email:
        return
    domain = contact.email.rsplit("@", 1)[1].lower()
    if domain in FREE_EMAIL_DOMAINS:
        return
    contact.company = Company.objects.filter(domain__iexact=domain).order_by("id").first()


@transaction.atomic
def create_record(model: type[Record], *, actor, values: dict, source: str = "manual",
                  link_by_domain: bool | None = None) -> Record:
    """Create a contact, company or deal from validated `values`. A new contact joins the
    company of its email domain unless `link_by_domain` (default: the
    CLARION_LINK_CONTACTS_BY_DOMAIN setting) is off."""
    if link_by_domain is None:
        link_by_domain = settings.CLARION_LINK_CONTACTS_BY_DOMAIN
    columns, custom = _split_values(model, values)
    contacts = columns.pop("contacts", None)
    record = model(**columns, properties=custom, created_by=_user_or_none(actor))
    if isinstance(record, Contact | Company) and not record.original_source:
        record.original_source = source
    if isinstance(record, Contact) and link_by_domain:
        _link_company_by_domain(record)
    record.save()
    if contacts is not None:
        record.contacts.set(contacts)
    emit(f"{object_type(model)}.created", contact_id=_contact_id(record), subject=record,
         actor=actor, data={"source": source})
    return record


def _changed(record: Record, values: dict) -> dict:
    """The subset of `values` that differs from what the record holds, as (old, new)."""
    changes = {}
    columns, custom = _split_values(type(record), values)
    for name, new in columns.items():
        if name == "contacts":
            continue
        old = getattr(record, name)
        if old != new:
            changes[name] = (old, new)
    for name, new in custom.items():
        old = record.properties.get(name)
        if old != new:
            changes[name] = (old, new)
    return changes


def _check_lifecycle(record: Record, changes: dict, allow_backward: bool) -> None:
    if "lifecycle_stage" not in changes or allow_backward:
        return
    old, new = changes["lifecycle_stage"]
    if old and new and LIFECYCLE_ORDER[new] < LIFECYCLE_ORDER[old]:
        raise LifecycleMovesBackward(
            _("The lifecycle stage only moves forward; confirm to move it back from "
              "%(old)s to %(new)s.") % {"old": old, "new": new})


@transaction.atomic
def update_record(record: Record, *, actor, values: dict, expected_version: int | None = None,
                  allow_lifecycle_backward: bool = False) -> Record:
    """Apply validated `values` to `record`, emitting one `property_changed` event per field
    that really changed (deals also emit `deal.stage_changed`).

    With `expected_version`, raises StaleRecord when someone saved the record in between and
    touched a field this edit also changes, so nobody overwrites a colleague silently."""
    current = type(record).objects.select_for_update().get(pk=record.pk)
    changes = _changed(current, values)
    if expected_version is not None and current.version != expected_version:
        conflicting = [name for name in changes if name in _fields_changed_since(
            current, expected_version)]
        if conflicting:
            raise StaleRecord(current, conflicting)
    _check_lifecycle(current, changes, allow_lifecycle_backward)
    contacts = values.get("contacts")
    if contacts is not None and isinstance(current, Deal):
        current.contacts.set(contacts)
    if not changes:
        return current
    _apply(current, changes)
    type(record).objects.filter(pk=current.pk).update(version=F("version") + 1)
    current.version += 1
    _emit_changes(current, changes, actor)
    return current


def _apply(record: Record, changes: dict) -> None:
    columns, custom = _split_values(type(record), {name: new for name, (_, new) in
                                                   changes.items()})
    for name, value in columns.items():
        setattr(record, name, value)
    record.properties = {**record.properties, **custom}
    record.updated_at = timezone.now()
    record.save(update_fields=[*columns, "properties", "updated_at"])


def _emit_changes(record: Record, changes: dict, actor) -> None:
    kind = object_type(record)
    for name, (old, new) in changes.items():
        emit(f"{kind}.property_changed", contact_id=_contact_id(record), subject=record,
             actor=actor, data={"field": name, "old": _event_value(old),
                                "new": _event_value(new), "version": record.version})
    if isinstance(record, Deal) and "stage" in changes:
        old, new = changes["stage"]
        emit("deal.stage_changed", subject=record, actor=actor,
             data={"pipeline": record.pipeline_id, "from": _event_value(old),
                   "to": _event_value(new), "outcome": new.outcome})


def _fields_changed_since(record: Record, version: int) -> set[str]:
    """Names of the fields changed by saves after `version`, read from the field history."""
    from clarion.core.events.models import Event

    events = Event.objects.filter(
        kind=f"{object_type(record)}.property_changed",
        subject_type__model=object_type(record), subject_id=record.pk,
        data__version__gt=version)
    return {event.data["field"] for event in events.only("data")}


@transaction.atomic
def delete_record(record: Record, *, actor) -> None:
    emit(f"{object_type(record)}.deleted", contact_id=None, subject=None, actor=actor,
         data=deleted_event_data(record))
    record.delete()


def deleted_event_data(record: Record) -> dict:
    """What a `<type>.deleted` event remembers of the record (a deal's pipeline too, so the
    boards showing it drop its card live)."""
    data = {"id": record.pk, "label": str(record), "type": object_type(record)}
    if isinstance(record, Deal):
        data["pipeline"] = record.pipeline_id
    return data


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Associations ---------------------------------------------------------------------------
# A contact belongs to one company (Contact.company); a deal has one company (Deal.company)
# and several contacts (Deal.contacts). The record holding the link is the one that changes:
# foreign keys through update_record (so the change is a `property_changed` event), deal
# contacts through the two functions below.


def association_owner(record: Record, other: Record) -> tuple[Record, Record]:
    """(the record holding the link, the record linked to), whichever order they come in."""
    if isinstance(other, Deal) or (isinstance(other, Contact) and isinstance(record, Company)):
        return other, record
    return record, other


@transaction.atomic
def associate(*, actor, record: Record, other: Record) -> None:
    """Link two records of different types; linking again changes nothing."""
    holder, linked = association_owner(record, other)
    if isinstance(holder, Deal) and isinstance(linked, Contact):
        if not holder.contacts.filter(pk=linked.pk).exists():
            holder.contacts.add(linked)
            emit("deal.contact_added", contact_id=linked.pk, subject=holder, actor=actor,
                 data={"contact": _event_value(linked)})
        return
    if isinstance(linked, Company) and hasattr(holder, "company_id"):
        update_record(holder, actor=actor, values={"company": linked})
        return
    raise ValueError(f"{object_type(record)} and {object_type(other)} can't be associated")


@transaction.atomic
def dissociate(*, actor, record: Record, other: Record) -> None:
    """Remove the link between two records, if there is one."""
    holder, linked = association_owner(record, other)
    if isinstance(holder, Deal) and isinstance(linked, Contact):
        if holder.contacts.filter(pk=linked.pk).exists():
            holder.contacts.remove(linked)
            emit("deal.contact_removed", contact_id=linked.pk, subject=holder, actor=actor,
                 data={"contact": _event_value(linked)})
        return
    if isinstance(linked, Company) and getattr(holder, "company_id", None) == linked.pk:
        update_record(holder, actor=actor, values={"company": None})


# --- bulk writes ---------------------------------------------------------------------------
# Set-based: one read of the old values (for the field history), one UPDATE or DELETE, and
# the events written with emit_many, so ten thousand rows are three statements, not ten
# thousand saves.

class JSONSetKey(Func):
    """`properties` with one key set to a JSON value."""

    output_field = models.JSONField()

    def __init__(self, expression, key: str, value):
        self.key, self.value = key, value
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra):  # SQLite
        sql, params = compiler.compile(self.source_expressions[0])
        path = "$." + json.dumps(self.key)
        return (f"JSON_SET(COALESCE({sql}, '{{}}'), %s, JSON(%s))",
                [*params, path, json.dumps(self.value)])

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(COALESCE({sql}, '{{}}'::jsonb) || jsonb_build_object(%s::text, %s::jsonb))",
                [*params, self.key, json.dumps(self.value)])


def _bulk_event_value(value, users: dict | None):
    """`_event_value` for a raw column value: a user id becomes the user's {id, label}."""
    if isinstance(value, int) and users is not None and value in users:
        user = users[value]
        return {"id": value, "label": str(user)}
    return _event_value(value)


@transaction.atomic
def bulk_set_field(queryset, *, actor, type_name: str, field: Field, value) -> int:
    """Set one field (column or custom property) on every record of `queryset`; one
    `<type>.property_changed` event per record whose value really changed."""
    model = queryset.model
    column = "properties" if field.custom else (
        f"{field.name}_id" if field.family == "user" else field.name)
    locked = queryset.select_for_update() if connection.features.has_select_for_update \
        else queryset
    rows = [(pk, version, stored.get(field.name) if field.custom else stored)
            for pk, version, stored in locked.values_list("id", "version", column)]
    changed = [row for row in rows if _differs(row[2], value)]
    if not changed:
        return 0
    changes = {"version": F("version") + 1, "updated_at": timezone.now()}
    if field.custom:
        changes["properties"] = JSONSetKey(F("properties"), field.name, value)
    else:
        changes[column] = value
    # One UPDATE over the same query, bounded by the ids read so records created since
    # are left alone (the read locked the rest on PostgreSQL).
    targets = queryset.filter(pk__lte=max(row[0] for row in changed))
    if not field.custom:
        targets = targets.exclude(**({column: value} if value is not None
                                     else {f"{column}__isnull": True}))
    targets.update(**changes)
    users = None
    if field.family == "user":
        ids = {row[2] for row in changed} | {value}
        users = get_user_model().objects.in_bulk([i for i in ids if i is not None])
    emit_many(NewEvent(
        f"{type_name}.property_changed", contact_id=pk if model is Contact else None,
        subject=model(pk=pk), actor=actor,
        data={"field": field.name, "old": _bulk_event_value(old, users),
              "new": _bulk_event_value(value, users), "version": version + 1})
        for pk, version, old in changed)
    return len(changed)


def _differs(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return False
    return str(old) != str(new) if not isinstance(new, list | bool) else old != new


@transaction.atomic
def bulk_delete(queryset, *, actor, type_name: str) -> int:
    """Delete every record of `queryset`, with one `<type>.deleted` event each."""
    records = list(queryset.iterator(chunk_size=2000))
    if not records:
        return 0
    emit_many(NewEvent(f"{type_name}.deleted", actor=actor, data=deleted_event_data(record))
              for record in records)
    queryset.model._default_manager.filter(pk__in=queryset.values("pk")).delete()
    return len(records)
