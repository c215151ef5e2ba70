"""Finding likely duplicate contacts and companies, and merging two records into one.

Detection is set-based: each rule annotates a grouping key (a normalized phone, a company plus
a name, a domain…) and a window count over it, so the database returns only rows whose key
is shared; pairs are formed within those small groups. Merging keeps the chosen value per
field on the surviving record, moves the other's associations and timeline to it, records
`<type>.merged` and deletes the other, in one transaction.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When, Window
from django.db.models.functions import Length, Lower, Replace, Substr, Trim
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clarion.core.events import emit
from clarion.core.events.models import Event
from clarion.core.permissions import can, visible_to
from clarion.crm.models import Company, Contact, Deal, Record, normalized_phone
from clarion.crm.services import delete_record, object_type, update_record

# --- Detection ----------------------------------------------------------------------------


def _strip(expression, characters: str):
    for character in characters:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def _without_www():
    return Case(When(**{"dup_domain_raw__startswith": "www."},
                     then=Substr("dup_domain_raw", 5)),
                default=F("dup_domain_raw"), output_field=CharField())


LEGAL_SUFFIXES = (" incorporated", " inc", " ltd", " llc", " gmbh", " corp", " co", " sa",
                  " ag", " limited", " plc", " bv")


def _company_name_key():
    """Lowercased, punctuation removed, one trailing legal form removed: "Acme, Inc." and
    "ACME" share the key "acme"."""
    plain = Trim(_strip(Lower("name"), ".,;:'\"&!"))
    whens = [When(**{"dup_name_plain__endswith": suffix},
                  then=Trim(Substr("dup_name_plain", 1,
                                   Length("dup_name_plain") - len(suffix))))
             for suffix in LEGAL_SUFFIXES]
    return plain, Case(*whens, default=F("dup_name_plain"), output_field=CharField())


@dataclass(frozen=True)
class DuplicateRule:
    reason: str
    label: Promise
    eligible: Q
    # Annotations in order; the names starting with "dup_key" (and company_id) form the key.
    annotations: tuple[tuple[str, object], ...]
    key: tuple[str, ...]

    def annotate(self, queryset: models.QuerySet) -> models.QuerySet:
        for name, expression in self.annotations:
            queryset = queryset.annotate(**{name: expression})
        return queryset


_name_plain, _name_key = _company_name_key()

RULES: dict[type[Record], tuple[DuplicateRule, ...]] = {
    Contact: (
        DuplicateRule("same_phone", gettext_lazy("Same phone number"), ~Q(phone=""),
                      (("dup_key_phone", normalized_phone()),), ("dup_key_phone",)),
        DuplicateRule(
            "similar_name_same_company", gettext_lazy("Similar name at the same company"),
            Q(company__isnull=False) & ~Q(last_name=""),
            (("dup_key_last", Lower("last_name")),
             ("dup_key_initial", Substr(Lower("first_name"), 1, 1))),
            ("company_id", "dup_key_last", "dup_key_initial")),
    ),
    Company: (
        DuplicateRule("same_domain", gettext_lazy("Same domain"), ~Q(domain=""),
                      (("dup_domain_raw", Lower(Trim("domain"))),
                       ("dup_key_domain", _without_www())), ("dup_key_domain",)),
        DuplicateRule("similar_name", gettext_lazy("Very similar name"), ~Q(name=""),
                      (("dup_name_plain", _name_plain), ("dup_key_name", _name_key)),
                      ("dup_key_name",)),
    ),
}

MAX_GROUP = 20  # members of one group paired with each other; larger groups are noise


@dataclass
class DuplicatePair:
    first: Record
    second: Record
    reasons: list[str] = field(default_factory=list)


def reason_label(model: type[Record], reason: str) -> str:
    return next(str(rule.label) for rule in RULES[model] if rule.reason == reason)


def _grouped_ids(rule: DuplicateRule, queryset: models.QuerySet,
                 limit: int) -> list[list[int]]:
    """Ids of the rows sharing a key with another row, grouped by key (one query)."""
    annotated = rule.annotate(queryset.filter(rule.eligible)).annotate(
        dup_count=Window(Count("id"), partition_by=[F(name) for name in rule.key]))
    rows = (annotated.filter(dup_count__gt=1).order_by(*rule.key, "id")
            .values_list("id", *rule.key)[:limit])
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, *key in rows:
        groups[tuple(key)].append(pk)
    return list(groups.values())


def find_duplicates(user, model: type[Record], *, limit: int = 500) -> list[DuplicatePair]:
    """Likely duplicate pairs among the records `user` may see, each with its reasons."""
    visible = visible_to(user, model.objects.all())
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for rule in RULES[model]:
        for group in _grouped_ids(rule, visible, limit):
            for pair in combinations(group[:MAX_GROUP], 2):
                reasons[pair].append(rule.reason)
    queryset = model.objects.select_related("company") if model is Contact else model.objects
    records = queryset.in_bulk({pk for pair in reasons for pk in pair})
    return [DuplicatePair(records[a], records[b], found)
            for (a, b), found in sorted(reasons.items())]


def duplicates_of(user, record: Record) -> list[DuplicatePair]:
    """The visible records that look like duplicates of `record`. One query reads the
    record's keys, then one per rule it is eligible for, then one for the records found."""
    model = type(record)
    visible = visible_to(user, model.objects.exclude(pk=record.pk)).order_by()
    reasons: dict[int, list[str]] = defaultdict(list)
    for rule, key in _own_keys(record).items():
        matches = rule.annotate(visible.filter(rule.eligible)).filter(**key)
        for pk in matches.values_list("id", flat=True)[:MAX_GROUP]:
            reasons[pk].append(rule.reason)
    others = model.objects.in_bulk(list(reasons)) if reasons else {}
    return [DuplicatePair(record, others[pk], found) for pk, found in reasons.items()]


def _own_keys(record: Record) -> dict[DuplicateRule, dict]:
    """Each rule's key for `record` (rules it isn't eligible for are left out), read in one
    query so the searches compare with plain values."""
    model = type(record)
    queryset, names = model.objects.filter(pk=record.pk).order_by(), {}
    for index, rule in enumerate(RULES[model]):
        queryset = rule.annotate(queryset).annotate(
            **{f"eligible_{index}": Case(When(rule.eligible, then=Value(True)),
                                         default=Value(False))})
        names[rule] = [f"eligible_{index}", *rule.key]
    row = queryset.values(*{name for fields in names.values() for name in fields}).first()
    if row is None:
        return {}
    return {rule: {name: row[name] for name in rule.key}
            for rule, fields in names.items() if row[fields[0]]}


# --- Merge --------------------------------------------------------------------------------

MERGE_FIELDS: dict[type[Record], tuple[str, ...]] = {
    Contact: ("first_name", "last_name", "email", "phone", "mobile_phone", "job_title",
              "company", "city", "country", "time_zone", "owner", "lifecycle_stage",
              "lead_status", "original_source"),
    Company: ("name", "domain", "industry", "phone", "city", "country", "employees",
              "annual_revenue", "owner", "lifecycle_stage", "lead_status", "original_source"),
}

# Other apps keep rows pointing at contacts and companies (notes, messages…): they register
# a function (survivor, loser) here that moves them before the loser is deleted.
MERGE_HOOKS: list[Callable[[Record, Record], None]] = []


def on_merge(hook: Callable[[Record, Record], None]) -> Callable[[Record, Record], None]:
    MERGE_HOOKS.append(hook)
    return hook


@dataclass(frozen=True)
class MergeField:
    name: str
    label: str
    this: object
    other: object
    custom: bool = False
    choices: tuple = ()

    def display(self, value) -> str:
        """The value as a person reads it ("" when empty)."""
        if _is_empty(value):
            return ""
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(dict(self.choices).get(value, value))

    @property
    def this_display(self) -> str:
        return self.display(self.this)

    @property
    def other_display(self) -> str:
        return self.display(self.other)

    @property
    def differs(self) -> bool:
        return self.this != self.other

    @property
    def default(self) -> str:
        """The side chosen unless a person says otherwise: this record, unless it's empty."""
        return "other" if _is_empty(self.this) and not _is_empty(self.other) else "this"


def _is_empty(value) -> bool:
    return value in (None, "", [], {})


def value_of(record: Record, name: str):
    if name in MERGE_FIELDS[type(record)]:
        return getattr(record, name)
    return record.properties.get(name)


def merge_fields(survivor: Record, loser: Record) -> list[MergeField]:
    """Every core field and custom property of the pair, with each record's value."""
    from clarion.core.properties.models import PropertyDefinition

    model = type(survivor)
    fields = []
    for name in MERGE_FIELDS[model]:
        model_field = model._meta.get_field(name)
        fields.append(MergeField(name, str(model_field.verbose_name).capitalize(),
                                 value_of(survivor, name), value_of(loser, name),
                                 choices=tuple(model_field.flatchoices or ())))
    labels = dict(PropertyDefinition.objects.filter(object_type=object_type(model))
                  .values_list("name", "label"))
    names = sorted(set(survivor.properties) | set(loser.properties))
    fields += [MergeField(name, labels.get(name, name), survivor.properties.get(name),
                          loser.properties.get(name), custom=True) for name in names]
    return fields


def _check_merge(user, survivor: Record, loser: Record, choices: dict) -> None:
    if type(survivor) is not type(loser) or type(survivor) not in MERGE_FIELDS:
        raise ValidationError(_("Only two contacts or two companies can be merged."))
    if survivor.pk == loser.pk:
        raise ValidationError(_("A record can't be merged with itself."))
    if not (can(user, "edit", survivor) and can(user, "delete", loser)):
        raise PermissionDenied(_("Merging needs the right to edit both records and to "
                                 "delete the one merged away."))
    known = set(MERGE_FIELDS[type(survivor)]) | set(survivor.properties) | set(loser.properties)
    unknown = sorted(set(choices) - known)
    if unknown:
        raise ValidationError({"values": [_("Unknown field “%(name)s”.") % {"name": name}
                                          for name in unknown]})


def _move_associations(survivor: Record, loser: Record) -> dict[str, int]:
    """Point the loser's links at the survivor, set-based; returns what moved."""
    if isinstance(survivor, Contact):
        links = Deal.contacts.through.objects
        already = links.filter(contact_id=survivor.pk).values("deal_id")
        moved = links.filter(contact_id=loser.pk).exclude(deal_id__in=already).update(
            contact_id=survivor.pk)
        return {"deals": moved}
    touched = {"company_id": survivor.pk, "version": F("version") + 1,
               "updated_at": timezone.now()}
    return {"contacts": Contact.objects.filter(company_id=loser.pk).update(**touched),
            "deals": Deal.objects.filter(company_id=loser.pk).update(**touched)}


def _repoint_events(survivor: Record, loser: Record) -> int:
    """The loser's timeline becomes part of the survivor's."""
    subject_type = ContentType.objects.get_for_model(survivor)
    moved = Event.objects.filter(subject_type=subject_type, subject_id=loser.pk).update(
        subject_id=survivor.pk)
    if isinstance(survivor, Contact):
        moved += Event.objects.filter(contact_id=loser.pk).update(contact_id=survivor.pk)
    return moved


@transaction.atomic
def merge_records(survivor: Record, loser: Record, *, actor,
                  choices: dict[str, str]) -> Record:
    """Merge `loser` into `survivor`: per field, `choices[name]` is "this" (keep the
    survivor's value) or "other" (take the loser's); unnamed fields keep the survivor's value
    unless it is empty. Deals, contacts and the timeline move to the survivor, the loser is
    deleted and `<type>.merged` is recorded. Needs edit on both and delete on the loser."""
    model = type(survivor)
    locked = model.objects.select_for_update().in_bulk(sorted([survivor.pk, loser.pk]))
    survivor, loser = locked[survivor.pk], locked[loser.pk]
    _check_merge(actor, survivor, loser, choices)
    values = {item.name: item.other for item in merge_fields(survivor, loser)
              if choices.get(item.name, item.default) == "other" and item.differs}
    loser_label, loser_pk = str(loser), loser.pk
    moved = _move_associations(survivor, loser)
    events_moved = _repoint_events(survivor, loser)
    for hook in MERGE_HOOKS:
        hook(survivor, loser)
    delete_record(loser, actor=actor)
    survivor = update_record(survivor, actor=actor, values=values,
                             allow_lifecycle_backward=True)
    kind = object_type(survivor)
    emit(f"{kind}.merged", contact_id=survivor.pk if kind == "contact" else None,
         subject=survivor, actor=actor,
         data={"merged": {"id": loser_pk, "label": loser_label},
               "fields_taken": sorted(values), "moved": {**moved, "events": events_moved}})
    return survivor
