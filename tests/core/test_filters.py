"""The filter language: each operator over core columns and custom properties, groups,
associations, owners and relative dates. Runs on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from clarion.core.filters import compile_filter, filter_queryset, matches
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact, Deal, Pipeline, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions(db):
    for name, type_, options in [
        ("nickname", "text", []), ("score", "number", []), ("budget", "currency", []),
        ("renewal", "date", []), ("last_seen", "datetime", []), ("vip", "boolean", []),
        ("tier", "select", ["gold", "silver"]), ("tags", "multiselect", ["a", "b", "c"]),
    ]:
        PropertyDefinition.objects.create(
            object_type="contact", name=name, label=name.title(), type=type_,
            options=[{"value": option, "label": option.title()} for option in options])


def contact(email="", **values):
    properties = values.pop("properties", {})
    return Contact.objects.create(email=email, properties=properties, **values)


def emails(tree, **kwargs):
    queryset = filter_queryset(Contact.objects.all(), tree, **kwargs)
    return sorted(c.email for c in queryset)


def leaf(prop, op, value=None):
    return {"property": prop, "op": op, "value": value}


# --- text columns -----------------------------------------------------------------------

@pytest.mark.parametrize(("op", "value", "expected"), [
    ("eq", "ADA@ACME.COM", ["ada@acme.com"]),
    ("neq", "ada@acme.com", ["bob@other.org", "cy@acme.com"]),
    ("contains", "acme", ["ada@acme.com", "cy@acme.com"]),
    ("not_contains", "acme", ["bob@other.org"]),
    ("starts_with", "bo", ["bob@other.org"]),
    ("ends_with", "@acme.com", ["ada@acme.com", "cy@acme.com"]),
    ("in", ["ada@acme.com", "bob@other.org"], ["ada@acme.com", "bob@other.org"]),
    ("not_in", ["ada@acme.com"], ["bob@other.org", "cy@acme.com"]),
])
def test_text_operators_on_a_column_ignore_case(op, value, expected):
    for email in ("ada@acme.com", "bob@other.org", "cy@acme.com"):
        contact(email)

    assert emails(leaf("email", op, value)) == expected


def test_empty_text_means_blank_and_negative_operators_include_it():
    contact("a@x.com", city="Oslo")
    contact("b@x.com", city="")

    assert emails(leaf("city", "is_empty")) == ["b@x.com"]
    assert emails(leaf("city", "is_not_empty")) == ["a@x.com"]
    assert emails(leaf("city", "neq", "Oslo")) == ["b@x.com"]
    assert emails(leaf("city", "eq", "Oslo")) == ["a@x.com"]


def test_select_columns_take_their_choices():
    contact("a@x.com", lifecycle_stage="lead")
    contact("b@x.com", lifecycle_stage="customer")

    assert emails(leaf("lifecycle_stage", "in", ["lead", "mql"])) == ["a@x.com"]


# --- numbers, dates, owners --------------------------------------------------------------

@pytest.mark.parametrize(("op", "value", "expected"), [
    ("eq", 50, ["mid"]), ("neq", 50, ["big", "none", "small"]), ("gt", 50, ["big"]),
    ("gte", 50, ["big", "mid"]), ("lt", 50, ["small"]), ("lte", "50", ["mid", "small"]),
    ("between", [5, 60], ["mid", "small"]), ("is_empty", None, ["none"]),
    ("in", [10, 500], ["big", "small"]),
])
def test_number_operators_compare_numbers_on_columns(op, value, expected):
    for name, employees in [("small", 10), ("mid", 50), ("big", 500), ("none", None)]:
        Company.objects.create(name=name, employees=employees)

    found = filter_queryset(Company.objects.all(), leaf("employees", op, value))

    assert sorted(c.name for c in found) == expected


def test_created_dates_take_absolute_and_relative_days():
    now = timezone.now()
    contact("old@x.com", created_at=now - timedelta(days=40))
    contact("new@x.com", created_at=now - timedelta(days=3))
    ten_days_ago = (now - timedelta(days=10)).date().isoformat()

    assert emails(leaf("created_at", "within_last_days", 30)) == ["new@x.com"]
    assert emails(leaf("created_at", "before", ten_days_ago)) == ["old@x.com"]
    assert emails(leaf("created_at", "after", ten_days_ago)) == ["new@x.com"]
    assert emails(leaf("created_at", "between", [
        (now - timedelta(days=41)).date().isoformat(),
        (now - timedelta(days=39)).date().isoformat()])) == ["old@x.com"]


def test_a_date_equal_to_a_day_matches_any_time_that_day():
    noon = datetime(2025, 3, 4, 12, tzinfo=UTC)
    contact("a@x.com", created_at=noon)
    contact("b@x.com", created_at=noon + timedelta(days=1))

    assert emails(leaf("created_at", "eq", "2025-03-04")) == ["a@x.com"]


def test_owner_is_me_resolves_to_the_user_filtering(admin_user, sales_user):
    contact("mine@x.com", owner=sales_user)
    contact("theirs@x.com", owner=admin_user)
    contact("nobody@x.com")

    assert emails(leaf("owner", "is", "me"), user=sales_user) == ["mine@x.com"]
    assert emails(leaf("owner", "is", admin_user.pk)) == ["theirs@x.com"]
    assert emails(leaf("owner", "is_not", "me"), user=sales_user) == [
        "nobody@x.com", "theirs@x.com"]
    assert emails(leaf("owner", "is_empty")) == ["nobody@x.com"]


# --- custom properties -------------------------------------------------------------------

def test_custom_text_properties_support_the_text_operators(definitions):
    contact("a@x.com", properties={"nickname": "Ace"})
    contact("b@x.com", properties={"nickname": "Bee"})
    contact("c@x.com")

    assert emails(leaf("nickname", "eq", "ace")) == ["a@x.com"]
    assert emails(leaf("nickname", "contains", "E")) == ["a@x.com", "b@x.com"]
    assert emails(leaf("nickname", "starts_with", "b")) == ["b@x.com"]
    assert emails(leaf("nickname", "ends_with", "ce")) == ["a@x.com"]
    assert emails(leaf("nickname", "not_contains", "ace")) == ["b@x.com", "c@x.com"]
    assert emails(leaf("nickname", "is_empty")) == ["c@x.com"]


def test_custom_numbers_compare_as_numbers_not_strings(definitions):
    contact("nine@x.com", properties={"score": 9})
    contact("ten@x.com", properties={"score": 10})
    contact("big@x.com", properties={"score": 100.5})
    contact("none@x.com")

    assert emails(leaf("score", "gt", 9)) == ["big@x.com", "ten@x.com"]
    assert emails(leaf("score", "lt", 10)) == ["nine@x.com"]
    assert emails(leaf("score", "between", [9.5, 100])) == ["ten@x.com"]
    assert emails(leaf("score", "eq", 10)) == ["ten@x.com"]
    assert emails(leaf("score", "neq", 10)) == ["big@x.com", "nine@x.com", "none@x.com"]
    assert emails(leaf("budget", "is_empty")) == sorted(
        ["nine@x.com", "ten@x.com", "big@x.com", "none@x.com"])


def test_custom_dates_compare_as_calendar_days(definitions):
    contact("jan@x.com", properties={"renewal": "2025-01-31"})
    contact("oct@x.com", properties={"renewal": "2025-10-02"})
    contact("seen@x.com", properties={"last_seen": "2025-10-02T23:30:00+00:00"})

    assert emails(leaf("renewal", "after", "2025-02-01")) == ["oct@x.com"]
    assert emails(leaf("renewal", "before", "2025-02-01")) == ["jan@x.com"]
    assert emails(leaf("renewal", "between", ["2025-01-01", "2025-01-31"])) == ["jan@x.com"]
    assert emails(leaf("last_seen", "eq", "2025-10-02")) == ["seen@x.com"]


def test_custom_dates_within_the_last_days(definitions):
    today = timezone.localdate()
    contact("recent@x.com", properties={"renewal": (today - timedelta(days=2)).isoformat()})
    contact("old@x.com", properties={"renewal": (today - timedelta(days=90)).isoformat()})

    assert emails(leaf("renewal", "within_last_days", 7)) == ["recent@x.com"]


def test_custom_booleans_selects_and_multiselects(definitions):
    contact("a@x.com", properties={"vip": True, "tier": "gold", "tags": ["a", "b"]})
    contact("b@x.com", properties={"vip": False, "tier": "silver", "tags": ["c"]})
    contact("c@x.com", properties={"tags": []})

    assert emails(leaf("vip", "is_true")) == ["a@x.com"]
    assert emails(leaf("vip", "is_false")) == ["b@x.com"]
    assert emails(leaf("vip", "is_empty")) == ["c@x.com"]
    assert emails(leaf("tier", "eq", "gold")) == ["a@x.com"]
    assert emails(leaf("tier", "not_in", ["gold"])) == ["b@x.com", "c@x.com"]
    assert emails(leaf("tags", "has_any", ["b", "c"])) == ["a@x.com", "b@x.com"]
    assert emails(leaf("tags", "has_all", ["a", "b"])) == ["a@x.com"]
    assert emails(leaf("tags", "has_none", ["a"])) == ["b@x.com", "c@x.com"]
    assert emails(leaf("tags", "is_empty")) == ["c@x.com"]


# --- groups and associations -------------------------------------------------------------

def test_all_any_and_not_combine_conditions():
    contact("a@acme.com", city="Oslo")
    contact("b@acme.com", city="Rome")
    contact("c@other.org", city="Oslo")
    tree = {"all": [leaf("email", "ends_with", "@acme.com"),
                    {"any": [leaf("city", "eq", "Oslo"), {"not": leaf("city", "eq", "Rome")}]}]}

    assert emails(tree) == ["a@acme.com"]
    assert emails({"all": []}) == ["a@acme.com", "b@acme.com", "c@other.org"]
    assert emails({"any": []}) == []
    assert emails({"not": {"all": []}}) == []


def test_contacts_filter_through_their_company():
    acme = Company.objects.create(name="Acme", employees=500)
    tiny = Company.objects.create(name="Tiny", employees=3)
    contact("a@x.com", company=acme)
    contact("b@x.com", company=tiny)
    contact("c@x.com")

    tree = {"association": "company", "where": leaf("employees", "gte", 100)}

    assert emails(tree) == ["a@x.com"]
    assert emails({"not": tree}) == ["b@x.com", "c@x.com"]


def test_deals_filter_through_their_contacts_and_companies_through_their_deals():
    pipeline = Pipeline.objects.create(name="Sales")
    stage = Stage.objects.create(pipeline=pipeline, name="New")
    acme = Company.objects.create(name="Acme")
    Company.objects.create(name="Idle")
    vip = contact("vip@x.com", city="Oslo")
    deal = Deal.objects.create(name="Big", pipeline=pipeline, stage=stage, amount=9000,
                               company=acme)
    deal.contacts.add(vip)
    Deal.objects.create(name="Small", pipeline=pipeline, stage=stage, amount=10)

    by_contact = {"association": "contacts", "where": leaf("city", "eq", "oslo")}
    by_deal = {"association": "deals", "where": leaf("amount", "gt", 1000)}

    assert [d.name for d in filter_queryset(Deal.objects.all(), by_contact)] == ["Big"]
    assert [c.name for c in filter_queryset(Company.objects.all(), by_deal)] == ["Acme"]
    assert emails({"association": "deals", "where": leaf("stage", "is", stage.pk)}) == [
        "vip@x.com"]


def test_matches_answers_for_one_record_with_the_same_semantics():
    ada = contact("ada@acme.com")
    bob = contact("bob@other.org")
    tree = leaf("email", "ends_with", "@acme.com")

    assert matches(ada, tree) is True
    assert matches(bob, tree) is False


def test_sql_looking_values_are_only_values():
    contact("robert@x.com", city="'; DROP TABLE contacts; --")
    contact("percent@x.com", city="100%_sure")

    assert emails(leaf("city", "eq", "'; DROP TABLE contacts; --")) == ["robert@x.com"]
    assert emails(leaf("city", "contains", "%")) == ["percent@x.com"]
    assert emails(leaf("city", "contains", "_")) == ["percent@x.com"]
    assert Contact.objects.count() == 2


def test_compiled_filters_are_plain_q_objects_usable_anywhere():
    contact("a@x.com", city="Oslo")

    q = compile_filter(leaf("city", "eq", "Oslo"), Contact)

    assert Contact.objects.filter(q).count() == 1
