"""Property-based check of the compiler: for random small sets of contacts and random filter
trees, the database returns exactly the contacts a plain Python reading of the tree picks."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarion.core.filters import build_catalogue, filter_queryset
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Contact

pytestmark = pytest.mark.django_db

WORDS = ["oslo", "Oslo", "rome", "ro", "", "a_b", "50%"]
TIERS = ["gold", "silver"]
TAGS = ["x", "y", "z"]
DAYS = [date(2025, 1, day).isoformat() for day in (1, 2, 15, 31)]

contacts = st.lists(st.fixed_dictionaries({
    "city": st.sampled_from(WORDS),
    "lifecycle_stage": st.sampled_from(["", "lead", "customer"]),
    "properties": st.fixed_dictionaries({}, optional={
        "score": st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False)),
        "tier": st.sampled_from(TIERS),
        "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=3),
        "vip": st.booleans(),
        "renewal": st.sampled_from(DAYS),
        "nickname": st.sampled_from(WORDS),
    }),
}), max_size=8)

text_leaf = st.builds(lambda prop, op, value: {"property": prop, "op": op, "value": value},
                      st.sampled_from(["city", "nickname"]),
                      st.sampled_from(["eq", "neq", "contains", "not_contains", "starts_with",
                                       "ends_with"]),
                      st.sampled_from([w for w in WORDS if w]))
number_leaf = st.one_of(
    st.builds(lambda op, value: {"property": "score", "op": op, "value": value},
              st.sampled_from(["eq", "neq", "gt", "gte", "lt", "lte"]), st.integers(-5, 5)),
    st.builds(lambda low, high: {"property": "score", "op": "between", "value": [low, high]},
              st.integers(-5, 5), st.integers(-5, 5)))
select_leaf = st.one_of(
    st.builds(lambda op, value: {"property": "tier", "op": op, "value": value},
              st.sampled_from(["eq", "neq"]), st.sampled_from(TIERS)),
    st.builds(lambda op, values: {"property": "lifecycle_stage", "op": op, "value": values},
              st.sampled_from(["in", "not_in"]),
              st.lists(st.sampled_from(["lead", "customer"]), min_size=1, unique=True)))
tags_leaf = st.builds(lambda op, values: {"property": "tags", "op": op, "value": values},
                      st.sampled_from(["has_any", "has_all", "has_none"]),
                      st.lists(st.sampled_from(TAGS), min_size=1, unique=True))
date_leaf = st.builds(lambda op, value: {"property": "renewal", "op": op, "value": value},
                      st.sampled_from(["eq", "before", "after"]), st.sampled_from(DAYS))
flag_leaf = st.builds(lambda prop, op: {"property": prop, "op": op},
                      st.sampled_from(["vip", "city", "tags", "score", "renewal", "nickname"]),
                      st.sampled_from(["is_empty", "is_not_empty"]))
bool_leaf = st.builds(lambda op: {"property": "vip", "op": op},
                      st.sampled_from(["is_true", "is_false"]))
leaves = st.one_of(text_leaf, number_leaf, select_leaf, tags_leaf, date_leaf, flag_leaf,
                   bool_leaf)
trees = st.recursive(leaves, lambda children: st.one_of(
    st.builds(lambda items: {"all": items}, st.lists(children, max_size=3)),
    st.builds(lambda items: {"any": items}, st.lists(children, max_size=3)),
    st.builds(lambda child: {"not": child}, children)), max_leaves=6)


# --- the reference semantics, in plain Python --------------------------------------------

def value_of(contact: dict, name: str):
    if name in ("city", "lifecycle_stage"):
        return contact[name]
    return contact["properties"].get(name)


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def positive(contact: dict, leaf: dict) -> bool:
    op, wanted = leaf["op"], leaf.get("value")
    value = value_of(contact, leaf["property"])
    if is_empty(value):
        return False
    if op in ("eq", "contains", "starts_with", "ends_with") and isinstance(value, str):
        if leaf["property"] in ("tier", "renewal"):
            return value == wanted
        value, wanted = value.lower(), wanted.lower()
        return {"eq": value == wanted, "contains": wanted in value,
                "starts_with": value.startswith(wanted), "ends_with": value.endswith(wanted)}[op]
    if op == "eq":
        return value == wanted
    if op in ("gt", "gte", "lt", "lte"):
        return {"gt": value > wanted, "gte": value >= wanted, "lt": value < wanted,
                "lte": value <= wanted}[op]
    if op == "between":
        low, high = sorted(wanted)
        return low <= value <= high
    if op == "in":
        return value in wanted
    if op == "has_any":
        return any(tag in value for tag in wanted)
    if op == "has_all":
        return all(tag in value for tag in wanted)
    if op == "before":
        return value < wanted
    if op == "after":
        return value > wanted
    return {"is_true": value is True, "is_false": value is False}[op]


NEGATIVE = {"neq": "eq", "not_contains": "contains", "not_in": "in", "has_none": "has_any"}


def picks(contact: dict, tree: dict) -> bool:
    if "all" in tree:
        return all(picks(contact, child) for child in tree["all"])
    if "any" in tree:
        return any(picks(contact, child) for child in tree["any"])
    if "not" in tree:
        return not picks(contact, tree["not"])
    op = tree["op"]
    if op == "is_empty":
        return is_empty(value_of(contact, tree["property"]))
    if op == "is_not_empty":
        return not is_empty(value_of(contact, tree["property"]))
    if op in NEGATIVE:
        return not positive(contact, {**tree, "op": NEGATIVE[op]})
    return positive(contact, tree)


@pytest.fixture
def catalogue(db):
    for name, type_, options in [("score", "number", []), ("tier", "select", TIERS),
                                 ("tags", "multiselect", TAGS), ("vip", "boolean", []),
                                 ("renewal", "date", []), ("nickname", "text", [])]:
        PropertyDefinition.objects.create(object_type="contact", name=name, label=name,
                                          type=type_,
                                          options=[{"value": o} for o in options])
    return build_catalogue(Contact)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=contacts, tree=trees)
def test_compiled_filters_pick_what_the_reference_semantics_pick(catalogue, rows, tree):
    with transaction.atomic():
        created = Contact.objects.bulk_create(
            [Contact(email=f"c{index}@example.com", **row) for index, row in enumerate(rows)])
        expected = {c.email for c, row in zip(created, rows, strict=True) if picks(row, tree)}

        found = set(filter_queryset(Contact.objects.all(), tree, catalogue=catalogue)
                    .values_list("email", flat=True))

        transaction.set_rollback(True)
    assert found == expected, tree
