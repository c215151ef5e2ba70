"""The behaviour and segment leaves: semantics, validation messages naming the leaf, and the
existing association leaves used in segment definitions."""

import pytest

from clarion.core.filters import InvalidFilter, compile_filter, filter_queryset
from clarion.crm.models import Company, Contact, Deal, Pipeline, Stage
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment
from tests.segments.support import did, make_contact

pytestmark = pytest.mark.django_db

PRICING = {"property": "url", "op": "contains", "value": "/pricing"}


def emails(tree) -> list[str]:
    return sorted(filter_queryset(Contact.objects.all(), tree).values_list("email", flat=True))


def visits(count=None, **extra) -> dict:
    tree = {"event": "page.viewed", "where": PRICING, **extra}
    if count is not None:
        tree["count"] = count
    return tree


@pytest.fixture
def people():
    """none: never visited; once: 1 recent; thrice: 3 recent; old: 3 long ago; other: 3 recent
    visits to another page."""
    people = {name: make_contact(email=f"{name}@x.org")
              for name in ("none", "once", "thrice", "old", "other")}
    did(people["once"], url="https://x.org/pricing", days_ago=1)
    for day in (1, 2, 3):
        did(people["thrice"], url="https://x.org/pricing?plan=pro", days_ago=day)
        did(people["old"], url="https://x.org/pricing", days_ago=60 + day)
        did(people["other"], url="https://x.org/blog", days_ago=day)
    return people


def test_did_at_least_n_times_within_the_last_days(people):
    assert emails(visits(within_days=30)) == ["once@x.org", "thrice@x.org"]
    assert emails(visits({"gte": 3}, within_days=30)) == ["thrice@x.org"]
    assert emails(visits({"gte": 3})) == ["old@x.org", "thrice@x.org"]
    assert emails(visits({"gte": 4})) == []


def test_at_most_and_between_include_those_who_never_did_it(people):
    assert emails(visits({"lte": 1}, within_days=30)) == [
        "none@x.org", "old@x.org", "once@x.org", "other@x.org"]
    assert emails(visits({"between": [1, 2]}, within_days=30)) == ["once@x.org"]
    assert emails(visits({"between": [0, 1]}, within_days=30)) == [
        "none@x.org", "old@x.org", "once@x.org", "other@x.org"]


def test_didnt_do_by_count_zero_or_negate(people):
    never = ["none@x.org", "old@x.org", "other@x.org"]
    assert emails(visits({"lte": 0}, within_days=30)) == never
    assert emails(visits(within_days=30, negate=True)) == never
    assert emails({"not": visits(within_days=30)}) == never
    # "didn't visit pricing 3 times" keeps the ones who visited fewer times.
    assert emails(visits({"gte": 3}, within_days=30, negate=True)) == [
        "none@x.org", "old@x.org", "once@x.org", "other@x.org"]


def test_between_dates_is_inclusive_of_both_days(people):
    from django.utils import timezone

    today = timezone.localdate()
    window = [today.isoformat()] * 2
    assert emails(visits(between=window)) == []  # nobody visited today
    did(people["none"], url="https://x.org/pricing")
    assert emails(visits(between=window)) == ["none@x.org"]


def test_where_matches_the_events_data_and_no_where_matches_any(people):
    assert emails({"event": "page.viewed", "count": {"gte": 3}, "within_days": 30}) == [
        "other@x.org", "thrice@x.org"]
    blog = {"event": "page.viewed", "where": {"property": "url", "op": "ends_with",
                                              "value": "/BLOG"}}
    assert emails(blog) == ["other@x.org"]
    assert emails({"event": "form.submitted"}) == []


def test_behaviour_combines_with_properties_in_groups(people):
    Contact.objects.filter(email="thrice@x.org").update(lifecycle_stage="lead")
    tree = {"all": [{"property": "lifecycle_stage", "op": "eq", "value": "lead"},
                    visits(within_days=30)]}
    assert emails(tree) == ["thrice@x.org"]
    assert emails({"any": [tree, visits({"gte": 3}, between=["2000-01-01", "2100-01-01"])]}
                  ) == ["old@x.org", "thrice@x.org"]


@pytest.mark.parametrize(("leaf", "message"), [
    ({"event": "page.viewed", "count": {"more": 3}}, "unknown count operator 'more'"),
    ({"event": "page.viewed", "count": {"gte": -1}}, "a count is a whole number"),
    ({"event": "page.viewed", "count": {"gte": "3"}}, "a count is a whole number"),
    ({"event": "page.viewed", "count": {"between": [1]}}, "two numbers"),
    ({"event": "page.viewed", "between": ["2026-01-01", "someday"]}, "dates as YYYY-MM-DD"),
    ({"event": "page.viewed", "within_days": 0}, "'within_days' takes 1 to"),
    ({"event": "page.viewed", "within_days": 3, "between": ["2026-01-01", "2026-02-01"]},
     "not both"),
    ({"event": "Page Viewed"}, "is not an event kind"),
    ({"event": "page.viewed", "where": {"property": "url", "op": "gt", "value": 1}},
     "operator 'gt' does not apply"),
    ({"event": "page.viewed", "when": 3}, "extra inputs are not permitted"),
])
def test_invalid_behaviour_leaves_are_rejected_naming_the_leaf(leaf, message):
    with pytest.raises(InvalidFilter) as error:
        compile_filter({"all": [{"property": "city", "op": "eq", "value": "Oslo"}, leaf]},
                       Contact)
    assert message in str(error.value)
    assert "filter.all[1]" in str(error.value)
    assert "event '" in str(error.value) or "extra inputs" in message


def test_behaviour_leaves_apply_to_contacts_only():
    with pytest.raises(InvalidFilter, match="contacts only"):
        compile_filter({"event": "page.viewed"}, Company)


def test_segment_leaf_reads_stored_membership(admin_user):
    ada, bob = make_contact(email="ada@x.org"), make_contact(email="bob@x.org")
    vips = create_segment(actor=admin_user, name="VIPs", kind=Segment.Kind.STATIC)
    add_members(vips, [ada.pk], actor=admin_user)
    assert emails({"segment": vips.pk, "op": "in"}) == ["ada@x.org"]
    assert emails({"segment": vips.pk, "op": "not_in"}) == ["bob@x.org"]
    assert bob.pk not in emails({"segment": vips.pk})


def test_segment_leaf_rejects_missing_segments_and_unknown_operators(admin_user):
    with pytest.raises(InvalidFilter, match=r"segment or list 999 does not exist"):
        compile_filter({"segment": 999, "op": "in"}, Contact)
    vips = create_segment(actor=admin_user, name="VIPs", kind=Segment.Kind.STATIC)
    with pytest.raises(InvalidFilter, match=r"\(segment \d+\).*operator 'contains'"):
        compile_filter({"segment": vips.pk, "op": "contains"}, Contact)


def test_works_at_a_company_whose_industry_is(admin_user):
    tech = Company.objects.create(name="Acme", industry="Technology")
    shop = Company.objects.create(name="Shop", industry="Retail")
    make_contact(email="dev@acme.org", company=tech, lifecycle_stage="lead")
    make_contact(email="clerk@shop.org", company=shop, lifecycle_stage="lead")
    make_contact(email="alone@x.org", lifecycle_stage="lead")
    segment = create_segment(actor=admin_user, name="Leads in technology", kind="dynamic",
                             definition={"all": [
                                 {"property": "lifecycle_stage", "op": "eq", "value": "lead"},
                                 {"association": "company", "where": {
                                     "property": "industry", "op": "eq",
                                     "value": "technology"}}]})
    assert list(segment.memberships.values_list("contact__email", flat=True)) == [
        "dev@acme.org"]


def test_has_a_deal_in_stage(admin_user):
    pipeline = Pipeline.objects.create(name="Sales")
    new = Stage.objects.create(pipeline=pipeline, name="New")
    won = Stage.objects.create(pipeline=pipeline, name="Won", outcome=Stage.Outcome.WON)
    buyer, prospect = make_contact(email="buyer@x.org"), make_contact(email="p@x.org")
    Deal.objects.create(name="A", pipeline=pipeline, stage=won).contacts.add(buyer)
    Deal.objects.create(name="B", pipeline=pipeline, stage=new).contacts.add(prospect)
    segment = create_segment(actor=admin_user, name="Won deals", kind="dynamic",
                             definition={"association": "deals", "where": {
                                 "property": "stage", "op": "is", "value": won.pk}})
    assert list(segment.memberships.values_list("contact__email", flat=True)) == [
        "buyer@x.org"]
