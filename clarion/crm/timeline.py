"""A record's timeline: its events, newest first, as readable sentences.

Contacts read every event carrying their contact id (their own changes, deals they joined,
later emails and notes); companies and deals read the events whose subject they are. Field
history is the same list restricted to `property_changed` events of one field."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clarion.accounts.models import display_name
from clarion.core import cursors
from clarion.core.events.models import Event
from clarion.core.events.queries import EventCursor
from clarion.core.properties.models import PropertyDefinition, PropertyType
from clarion.crm.models import Contact
from clarion.crm.objects import ObjectType

PAGE_SIZE = 25

KIND_LABELS = {
    "created": pgettext_lazy("event", "Created"),
    "property_changed": gettext_lazy("Property changed"),
    "stage_changed": gettext_lazy("Deal stage changed"),
    "contact_added": gettext_lazy("Contact added to a deal"),
    "contact_removed": gettext_lazy("Contact removed from a deal"),
    "deleted": gettext_lazy("Deleted"),
}


def kind_label(kind: str, own_type: str = "") -> str:
    """"Property changed" for the record's own kinds; "Note: Created" for other objects'."""
    subject, _dot, action = kind.partition(".")
    label = str(KIND_LABELS.get(action, action.replace("_", " ").capitalize()))
    # A contact's timeline also holds other objects' events; deal events there already say so.
    if own_type and subject not in (own_type, "deal"):
        return _("%(subject)s: %(what)s") % {"subject": _type_name(kind).capitalize(),
                                             "what": label}
    return label


@dataclass
class TimelineEntry:
    event: Event
    sentence: str
    old: str | None = None
    new: str | None = None


# Apps whose objects link to several records (a note on a contact, its company and a deal)
# add their events to those records' timelines: each source is `(record) -> Q | None`.
TIMELINE_SOURCES: list = []


def register_timeline_source(source) -> None:
    if source not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(source)


def _events(record: models.Model) -> "models.QuerySet[Event]":
    if isinstance(record, Contact):
        condition = models.Q(contact_id=record.pk)
    else:
        condition = models.Q(subject_type=ContentType.objects.get_for_model(record),
                             subject_id=record.pk)
    for source in TIMELINE_SOURCES:
        if (extra := source(record)) is not None:
            condition |= extra
    return Event.objects.filter(condition)


def kinds_present(record: models.Model) -> list[tuple[str, str]]:
    """The (kind, label) pairs the record's timeline holds, for its filter."""
    own_type = record._meta.model_name
    kinds = _events(record).order_by().values_list("kind", flat=True).distinct()
    return sorted(((kind, kind_label(kind, own_type)) for kind in kinds),
                  key=lambda pair: pair[1])


def hidden_subjects(viewer) -> models.Q:
    """Events about CRM records the viewer may not see (a contact's timeline also holds
    events about its deals and companies): excluded, so a timeline leaks nothing."""
    from clarion.core.permissions import record_scope, visible_to
    from clarion.crm.models import Company, Deal

    hidden = models.Q(pk__in=[])
    for model in (Contact, Company, Deal):
        if record_scope(viewer, model.capability_area, "view") == "all":
            continue
        visible_ids = visible_to(viewer, model.objects.all()).values("pk")
        hidden |= models.Q(subject_type=ContentType.objects.get_for_model(model)) & ~models.Q(
            subject_id__in=visible_ids)
    return hidden


def timeline_page(record: models.Model, *, viewer, kinds: list[str] | None = None,
                  field: str | None = None, before: EventCursor | None = None,
                  limit: int | None = None) -> tuple[list[Event], EventCursor | None]:
    """One page of the record's events the viewer may see, and the cursor of the next
    (older) page, if any."""
    limit = limit or PAGE_SIZE
    events = _events(record).exclude(hidden_subjects(viewer))
    if field:
        events = events.filter(kind__endswith=".property_changed", data__field=field)
    if kinds:
        events = events.filter(kind__in=kinds)
    events = list(events.filter(*_before(before)).select_related("actor", "subject_type")
                  .order_by("-occurred_at", "-id")[:limit + 1])
    more = len(events) > limit
    events = events[:limit]
    return events, (events[-1].cursor if more else None)


def _before(before: EventCursor | None) -> list:
    if before is None:
        return []
    occurred_at, event_id = before
    return [models.Q(occurred_at__lt=occurred_at) | models.Q(occurred_at=occurred_at,
                                                             id__lt=event_id)]


def encode_cursor(cursor: EventCursor | None) -> str:
    return cursors.encode_cursor(*cursor, salt="crm.timeline") if cursor else ""


def decode_cursor(text: str) -> EventCursor | None:
    if not text:
        return None
    try:
        stamp, event_id = cursors.decode_cursor(text, salt="crm.timeline")
    except cursors.InvalidCursor:
        return None
    moment: datetime | None = parse_datetime(stamp) if isinstance(stamp, str) else None
    if moment is None or not isinstance(event_id, int):
        return None
    return (moment, event_id)


class FieldLabels:
    """Labels and display values for core fields and custom properties of one record type;
    the property definitions are read once, and only when a custom property is shown."""

    def __init__(self, object_type: ObjectType):
        self.object_type = object_type

    @cached_property
    def definitions(self) -> dict[str, PropertyDefinition]:
        return {d.name: d for d in PropertyDefinition.objects.filter(
            object_type=self.object_type.name)}

    def _column(self, name: str) -> models.Field | None:
        try:
            return self.object_type.field(name)
        except FieldDoesNotExist:
            return None

    def label(self, name: str) -> str:
        column = self._column(name)
        if column is not None:
            return str(column.verbose_name).capitalize()
        definition = self.definitions.get(name)
        return definition.label if definition else name

    def display(self, name: str, value) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, dict):
            return str(value.get("label", ""))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        column = self._column(name) if name else None
        if column is not None:
            return str(dict(column.flatchoices).get(value, value))
        definition = self.definitions.get(name) if name else None
        if definition and definition.type in (PropertyType.SELECT, PropertyType.MULTISELECT):
            labels = {o["value"]: o["label"] for o in definition.options}
            values = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(v, str(v)) for v in values)
        return str(value)


def describe(event: Event, labels: FieldLabels) -> TimelineEntry:
    """The event as one sentence for a person reading the timeline."""
    from clarion.crm.extensions import describer_for

    if (describer := describer_for(event.kind)) is not None:
        return TimelineEntry(event, str(describer(event)))
    actor, action, data = display_name(event.actor), event.kind.split(".", 1)[-1], event.data or {}
    if action == "property_changed":
        field = data.get("field", "")
        old = labels.display(field, data.get("old"))
        new = labels.display(field, data.get("new"))
        return TimelineEntry(event, _("%(actor)s changed %(field)s from %(old)s to %(new)s") % {
            "actor": actor, "field": labels.label(field), "old": old, "new": new}, old, new)
    if action == "stage_changed":
        return TimelineEntry(event, _("%(actor)s moved the deal from %(old)s to %(new)s") % {
            "actor": actor, "old": labels.display("stage", data.get("from")),
            "new": labels.display("stage", data.get("to"))})
    if action == "created":
        return TimelineEntry(event, _("%(actor)s created this %(type)s") % {
            "actor": actor, "type": _type_name(event.kind)})
    if action in ("contact_added", "contact_removed"):
        template = (_("%(actor)s added %(contact)s to the deal %(deal)s")
                    if action == "contact_added"
                    else _("%(actor)s removed %(contact)s from the deal %(deal)s"))
        deal = event.subject
        return TimelineEntry(event, template % {
            "actor": actor, "contact": labels.display("", data.get("contact")),
            "deal": str(deal) if deal else "—"})
    return TimelineEntry(event, _("%(actor)s: %(what)s") % {"actor": actor,
                                                             "what": kind_label(event.kind)})


def _type_name(kind: str) -> str:
    from clarion.crm.objects import OBJECT_TYPES

    object_type = OBJECT_TYPES.get(kind.split(".", 1)[0])
    return str(object_type.verbose_name) if object_type else kind.split(".", 1)[0]


def describe_all(events: list[Event], object_type: ObjectType) -> list[TimelineEntry]:
    labels = FieldLabels(object_type)
    if any(event.kind.endswith(("contact_added", "contact_removed")) for event in events):
        models.prefetch_related_objects(events, "subject")
    return [describe(event, labels) for event in events]
