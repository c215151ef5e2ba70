"""Compiling a validated filter tree to a Django `Q` (with `Exists` subqueries for
associations). Only ORM expressions and lookups: values always travel as query parameters.

Semantics shared by every type: a record whose field is empty (NULL, "", missing from the
custom properties) matches none of the positive operators and every negative one
(`neq`, `not_contains`, `not_in`, `has_none`)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, ForeignObjectRel, Lookup, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Substr
from django.db.models.lookups import Exact, GreaterThanOrEqual, IsNull, LessThan
from django.utils import timezone

from clarion.core.filters.catalogue import Catalogue, Field
from clarion.core.permissions import visible_to

NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)


@dataclass
class FilterContext:
    """What relative values resolve against: "me" is `user`, "last 30 days" ends at `now`."""

    user: object = None
    now: datetime = field(default_factory=timezone.now)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


def compile_tree(tree: dict, catalogue: Catalogue, context: FilterContext) -> Q:
    from clarion.core.filters.registry import LEAF_KINDS, leaf_kind

    if "all" in tree:
        q = EVERYTHING
        for child in tree["all"]:
            q &= compile_tree(child, catalogue, context)
        return q
    if "any" in tree:
        q = NOTHING
        for child in tree["any"]:
            q |= compile_tree(child, catalogue, context)
        return q
    if "not" in tree:
        return ~compile_tree(tree["not"], catalogue, context)
    return LEAF_KINDS[leaf_kind(tree)].compile(tree, catalogue, context)


def compile_association_leaf(tree: dict, catalogue: Catalogue, context: FilterContext) -> Q:
    association = catalogue.associations[tree["association"]]
    related = association.model._default_manager
    relation = association.relation
    if isinstance(relation, ForeignObjectRel):  # reverse FK or reverse many-to-many
        linked = related.filter(**{relation.field.name: OuterRef("pk")})
    elif relation.many_to_many:
        linked = related.filter(**{relation.related_query_name(): OuterRef("pk")})
    else:
        linked = related.filter(pk=OuterRef(relation.attname))
    if context.user is not None and hasattr(association.model, "capability_area"):
        # Conditions on associated records only consider those the user may see, so a
        # filter can't probe records hidden from them ("has a deal over 1M").
        linked = visible_to(context.user, linked)
    inner = compile_tree(tree["where"], catalogue.through(association.name), context)
    return Q(Exists(linked.filter(inner)))


def compile_property_leaf(tree: dict, catalogue: Catalogue, context: FilterContext) -> Q:
    field_ = catalogue.fields[tree["property"]]
    terms = CustomTerms(field_) if field_.custom else ColumnTerms(field_)
    op, value = tree["op"], tree["value"]
    if op == "is_empty":
        return terms.empty()
    if op == "is_not_empty":
        return ~terms.empty()
    negated = NEGATIONS.get(op)
    # Guarded by "not empty" so a leaf is never SQL NULL: `not` and `any` then follow
    # two-valued logic, as a person reading the filter expects.
    guarded = ~terms.empty() & terms.positive(negated or op, value, context)
    return ~guarded if negated else guarded


NEGATIONS = {"neq": "eq", "not_contains": "contains", "not_in": "in", "has_none": "has_any",
             "is_not": "is"}


def _any(parts) -> Q:
    q = NOTHING
    for part in parts:
        q |= part
    return q


def _every(parts) -> Q:
    q = EVERYTHING
    for part in parts:
        q &= part
    return q


def _day_bounds(op: str, value, context: FilterContext) -> tuple[date | None, date | None]:
    """The half-open range of days [low, high) an date operator selects."""
    if op == "eq":
        day = date.fromisoformat(value)
        return day, day + timedelta(days=1)
    if op == "before":
        return None, date.fromisoformat(value)
    if op == "after":
        return date.fromisoformat(value) + timedelta(days=1), None
    if op == "between":
        low, high = sorted(date.fromisoformat(v) for v in value)
        return low, high + timedelta(days=1)
    if op == "within_last_days":
        return context.today - timedelta(days=value), None
    raise KeyError(op)


class ColumnTerms:
    def __init__(self, field_: Field):
        self.field = field_
        self.name = field_.name

    def empty(self) -> Q:
        if self.field.family in ("text", "select"):
            return Q(**{self.name: ""}) | Q(**{f"{self.name}__isnull": True})
        return Q(**{f"{self.name}__isnull": True})

    def positive(self, op: str, value, context: FilterContext) -> Q:
        family, name = self.field.family, self.name
        if op == "in":
            each = "is" if family in ("user", "reference") else "eq"
            return _any(self.positive(each, item, context) for item in value)
        if family == "text":
            lookup = {"eq": "iexact", "contains": "icontains", "starts_with": "istartswith",
                      "ends_with": "iendswith"}[op]
            return Q(**{f"{name}__{lookup}": value})
        if family in ("user", "reference"):
            if value == "me":
                value = getattr(context.user, "pk", None)
            return Q(**{f"{name}_id": value}) if value is not None else NOTHING
        if family == "boolean":
            return Q(**{name: op == "is_true"})
        if family == "number":
            if op == "between":
                low, high = sorted(value)
                return Q(**{f"{name}__gte": low, f"{name}__lte": high})
            return Q(**{f"{name}__{'exact' if op == 'eq' else op}": value})
        if family == "date":
            return self._dates(op, value, context)
        return Q(**{name: value})  # select

    def _dates(self, op: str, value, context: FilterContext) -> Q:
        low, high = _day_bounds(op, value, context)
        timed = self.field.type == "datetime"
        if op == "within_last_days" and timed:
            return Q(**{f"{self.name}__gte": context.now - timedelta(days=value)})
        q = EVERYTHING
        if low is not None:
            q &= Q(**{f"{self.name}__gte": _start_of(low) if timed else low})
        if high is not None:
            q &= Q(**{f"{self.name}__lt": _start_of(high) if timed else high})
        return q


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class JSONArrayHas(Lookup):
    """Does the JSON array on the left hold the scalar on the right?"""

    lookup_name = "array_has"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return (f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)",
                [*params, self.rhs])

    def as_postgresql(self, compiler, connection):
        import json

        lhs, params = self.process_lhs(compiler, connection)
        return f"({lhs}) @> %s::jsonb", [*params, json.dumps([self.rhs])]


class CustomTerms:
    """The same operators over one key of the `properties` JSON column."""

    def __init__(self, field_: Field):
        self.field = field_
        self.key = KeyTransform(field_.name, "properties")
        self.text = KeyTextTransform(field_.name, "properties")

    def empty(self) -> Q:
        q = Q(IsNull(self.text, True)) | Q(Exact(self.text, ""))
        if self.field.family == "multiselect":
            q |= Q(Exact(self.text, "[]"))
        return q

    def positive(self, op: str, value, context: FilterContext) -> Q:
        family = self.field.family
        if op == "in":
            return _any(self.positive("eq", item, context) for item in value)
        if family == "text":
            lookup = {"eq": "iexact", "contains": "icontains", "starts_with": "istartswith",
                      "ends_with": "iendswith"}[op]
            return self.lookup(lookup, value)
        if family == "number":
            if op == "between":
                low, high = sorted(value)
                return self.lookup("gte", low) & self.lookup("lte", high)
            return self.lookup("exact" if op == "eq" else op, value)
        if family == "boolean":
            return self.lookup("exact", op == "is_true")
        if family == "multiselect":
            parts = [Q(JSONArrayHas(self.key, item)) for item in value]
            return _every(parts) if op == "has_all" else _any(parts)
        if family == "date":
            return self._dates(op, value, context)
        return self.lookup("exact", value)  # select

    def lookup(self, lookup: str, value) -> Q:
        # The keyword form lets Django prepare the JSON literal for each database; the
        # explicit lookup at the end keeps any key name (even "contains") a key.
        return Q(**{f"properties__{self.field.name}__{lookup}": value})

    def _dates(self, op: str, value, context: FilterContext) -> Q:
        # Dates are stored as ISO 8601 text (datetimes in UTC), whose first ten characters
        # sort in calendar order, so comparing them compares days on every database.
        day = Substr(self.text, 1, 10)
        low, high = _day_bounds(op, value, context)
        q = ~Q(IsNull(self.text, True))
        if low is not None:
            q &= Q(GreaterThanOrEqual(day, low.isoformat()))
        if high is not None:
            q &= Q(LessThan(day, high.isoformat()))
        return q



