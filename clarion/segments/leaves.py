"""The two leaves segments add to the filter language (see docs/filters.md):

Behaviour — did (or didn't) the contact do event X, at least / at most N times, in a window,
where the event's data matches a tree of conditions:

    {"event": "page.viewed", "where": {"property": "url", "op": "contains", "value": "/pricing"},
     "count": {"gte": 3}, "within_days": 30}

Membership of another segment or list:

    {"segment": 12, "op": "in"}

Both compile to correlated subqueries (`EXISTS` or `(SELECT COUNT(*) …)`) over one contact's
rows, which the composite indexes core_event (contact_id, kind, occurred_at) and
segments_segmentmembership (segment_id, contact_id) answer without scanning the tables.
"""

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from pydantic import BaseModel, ConfigDict

from clarion.core.events.models import Event
from clarion.core.filters.catalogue import Catalogue, Field
from clarion.core.filters.compiler import FilterContext, _start_of, compile_tree
from clarion.core.filters.errors import InvalidFilter
from clarion.core.filters.validation import _structure, validate_tree

MAX_WINDOW_DAYS = 3650
MAX_COUNT = 1_000_000

# Data keys the builder offers for the event kinds Clarion itself records, with their types
# (any other key filters as text).
KNOWN_EVENT_KINDS: dict[str, dict[str, str]] = {
    "page.viewed": {"url": "url", "title": "text", "referrer": "url"},
    "email.opened": {"campaign": "text", "subject": "text"},
    "email.clicked": {"campaign": "text", "url": "url"},
    "form.submitted": {"form": "text", "page": "url"},
    "contact.created": {"source": "text"},
    "contact.property_changed": {"field": "text"},
    "deal.contact_added": {},
    "segment.joined": {"name": "text"},
    "segment.left": {"name": "text"},
}


class EventLeaf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: str
    where: dict = {}
    count: dict = {"gte": 1}
    within_days: int | None = None
    between: list[str] | None = None
    negate: bool = False


class SegmentLeaf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment: int
    op: str = "in"


# --- The event's data as a catalogue --------------------------------------------------------

class EventDataFields(dict):
    """Every key of an event's data is a field: the known ones typed, any other as text."""

    def __init__(self, kind: str):
        super().__init__({name: Field(name, name, type_, custom=True)
                          for name, type_ in KNOWN_EVENT_KINDS.get(kind, {}).items()})

    def get(self, name, default=None):
        if not isinstance(name, str) or not name or len(name) > 100:
            return default
        return super().get(name) or Field(name, name, "text", custom=True)


def event_data_catalogue(kind: str) -> Catalogue:
    return Catalogue(Event, "event", EventDataFields(kind), {})


def _is_contact_catalogue(catalogue: Catalogue) -> bool:
    return catalogue.object_type == "contact"


# --- Behaviour leaf -------------------------------------------------------------------------

def validate_event_leaf(tree: dict, catalogue: Catalogue, path: str, depth: int) -> dict:
    leaf = _structure(EventLeaf, tree, path)
    path = f"{path} (event '{leaf.event}')"
    if not _is_contact_catalogue(catalogue):
        raise InvalidFilter("behaviour conditions apply to contacts only", path)
    from clarion.core.events.services import KIND_PATTERN

    if not KIND_PATTERN.match(leaf.event):
        raise InvalidFilter(f"'{leaf.event}' is not an event kind such as 'page.viewed'", path)
    where = validate_tree(leaf.where or {"all": []}, event_data_catalogue(leaf.event),
                          f"{path}.where", depth + 1)
    normalised = {"event": leaf.event, "where": where, "count": _count(leaf.count, path),
                  "negate": leaf.negate}
    if leaf.within_days is not None and leaf.between is not None:
        raise InvalidFilter("give either 'within_days' or 'between', not both", path)
    if leaf.within_days is not None:
        if not 0 < leaf.within_days <= MAX_WINDOW_DAYS:
            raise InvalidFilter(f"'within_days' takes 1 to {MAX_WINDOW_DAYS} days, not "
                                f"{leaf.within_days}", path)
        normalised["within_days"] = leaf.within_days
    if leaf.between is not None:
        normalised["between"] = _dates(leaf.between, path)
    return normalised


def _count(count: Any, path: str) -> dict:
    if not isinstance(count, dict) or len(count) != 1:
        raise InvalidFilter("'count' takes one of {\"gte\": n}, {\"lte\": n} or "
                            "{\"between\": [low, high]}", path)
    (op, value), = count.items()
    if op in ("gte", "lte"):
        return {op: _whole(value, path)}
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise InvalidFilter("count 'between' takes two numbers [low, high]", path)
        low, high = sorted(_whole(item, path) for item in value)
        return {"between": [low, high]}
    raise InvalidFilter(f"unknown count operator '{op}' (use gte, lte or between)", path)


def _whole(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise InvalidFilter(f"a count is a whole number from 0 to {MAX_COUNT}, not "
                            f"{value!r}", path)
    return value


def _dates(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidFilter("'between' takes two dates [\"YYYY-MM-DD\", \"YYYY-MM-DD\"]", path)
    try:
        days = sorted(date.fromisoformat(str(item)[:10]) for item in value)
    except ValueError:
        raise InvalidFilter(f"'between' takes dates as YYYY-MM-DD, not {value!r}",
                            path) from None
    return [day.isoformat() for day in days]


class Count(Func):
    """COUNT(*) written as a plain function, so the subquery has no GROUP BY and always
    returns one row (0 when the contact never did it)."""

    function = "COUNT"
    template = "COUNT(*)"
    output_field = IntegerField()
    contains_aggregate = False


def matching_events(tree: dict, context: FilterContext, contact=None):
    """The events a behaviour leaf counts, for the contact `contact` (an OuterRef by default)."""
    events = Event.objects.filter(contact_id=contact if contact is not None
                                  else OuterRef("pk"), kind=tree["event"])
    if "within_days" in tree:
        events = events.filter(occurred_at__gte=context.now - timedelta(days=tree["within_days"]))
    if "between" in tree:
        low, high = (date.fromisoformat(day) for day in tree["between"])
        events = events.filter(occurred_at__gte=_start_of(low),
                               occurred_at__lt=_start_of(high + timedelta(days=1)))
    where = tree.get("where") or {"all": []}
    if where != {"all": []}:
        # The data conditions reuse the property compiler, which reads custom fields from a
        # JSON column named `properties`: here that is the event's `data`.
        events = events.alias(properties=F("data")).filter(
            compile_tree(where, event_data_catalogue(tree["event"]), context))
    return events.order_by()


def compile_event_leaf(tree: dict, catalogue: Catalogue, context: FilterContext) -> Q:
    events = matching_events(tree, context)
    (op, value), = tree["count"].items()
    if op == "gte" and value <= 1:
        q = Q(Exists(events)) if value == 1 else Q(pk__isnull=False)
    elif op == "lte" and value == 0:
        q = ~Q(Exists(events))
    else:
        counted = Subquery(events.annotate(n=Count()).values("n")[:1],
                           output_field=IntegerField())
        if op == "gte":
            q = Q(GreaterThanOrEqual(counted, value))
        elif op == "lte":
            q = Q(LessThanOrEqual(counted, value))
        else:
            low, high = value
            q = Q(GreaterThanOrEqual(counted, low)) & Q(LessThanOrEqual(counted, high))
    return ~q if tree.get("negate") else q


# --- Segment membership leaf ----------------------------------------------------------------

def validate_segment_leaf(tree: dict, catalogue: Catalogue, path: str, depth: int) -> dict:
    from clarion.segments.models import Segment

    leaf = _structure(SegmentLeaf, tree, path)
    path = f"{path} (segment {leaf.segment})"
    if not _is_contact_catalogue(catalogue):
        raise InvalidFilter("segment conditions apply to contacts only", path)
    if leaf.op not in ("in", "not_in"):
        raise InvalidFilter(f"operator '{leaf.op}' does not apply to a segment (use 'in' or "
                            "'not_in')", path)
    if not Segment.objects.filter(pk=leaf.segment).exists():
        raise InvalidFilter(f"segment or list {leaf.segment} does not exist (deleted?)", path)
    return {"segment": leaf.segment, "op": leaf.op}


def compile_segment_leaf(tree: dict, catalogue: Catalogue, context: FilterContext) -> Q:
    from clarion.segments.models import SegmentMembership

    members = SegmentMembership.objects.filter(segment_id=tree["segment"],
                                               contact_id=OuterRef("pk"))
    q = Q(Exists(members))
    return ~q if tree["op"] == "not_in" else q


# --- What a definition refers to ------------------------------------------------------------

def walk(tree: Any):
    """Every leaf of a tree (association leaves and their inner trees included)."""
    if not isinstance(tree, dict):
        return
    for key in ("all", "any"):
        if isinstance(tree.get(key), list):
            for child in tree[key]:
                yield from walk(child)
            return
    if "not" in tree:
        yield from walk(tree["not"])
        return
    yield tree
    if "association" in tree:
        yield from walk(tree.get("where"))


def referenced_segments(tree: Any) -> set[int]:
    return {leaf["segment"] for leaf in walk(tree)
            if "segment" in leaf and isinstance(leaf["segment"], int)}


def referenced_event_kinds(tree: Any) -> set[str]:
    return {leaf["event"] for leaf in walk(tree) if isinstance(leaf.get("event"), str)}


def referenced_properties(tree: Any) -> set[str]:
    """Contact properties (top-level leaves) and associations a definition reads."""
    names = set()
    if not isinstance(tree, dict):
        return names
    for key in ("all", "any"):
        if isinstance(tree.get(key), list):
            for child in tree[key]:
                names |= referenced_properties(child)
            return names
    if "not" in tree:
        return referenced_properties(tree["not"])
    if isinstance(tree.get("property"), str):
        names.add(tree["property"])
    if isinstance(tree.get("association"), str):
        names.add(tree["association"])
    return names


def referenced_associations(tree: Any) -> set[str]:
    return {leaf["association"] for leaf in walk(tree)
            if isinstance(leaf.get("association"), str)}


def is_time_relative(tree: Any) -> bool:
    """Does membership drift with the clock alone ("in the last 30 days")?"""
    return any(leaf.get("op") == "within_last_days" or "within_days" in leaf
               for leaf in walk(tree))


def register() -> None:
    """Teach the filter language the behaviour and segment leaves (from AppConfig.ready)."""
    from clarion.core.filters import register_leaf

    register_leaf("event", validate=validate_event_leaf, compile=compile_event_leaf)
    register_leaf("segment", validate=validate_segment_leaf, compile=compile_segment_leaf)
