"""The list pages: filters, columns, sort, keyset pages, saved views and bulk actions, with
visibility and edit rights checked, and bounded query counts."""

import json

import pytest

from clarion.core.events.models import Event
from clarion.core.listviews.models import SavedView
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact, Deal, Pipeline

pytestmark = pytest.mark.django_db
URL = "/contacts/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def make_contacts(count, **values):
    return Contact.objects.bulk_create(
        [Contact(email=f"p{index:03}@example.com", first_name=f"P{index:03}", **values)
         for index in range(count)])


def shown(response) -> list[str]:
    return [record.email for record, _cells in response.context["rows"]]


def test_the_list_shows_visible_contacts_with_a_total(admin_client):
    make_contacts(3)

    response = admin_client.get(URL)

    assert response.status_code == 200
    assert response.context["total"] == 3
    assert b"3 contacts" in response.content


def test_a_filter_in_the_address_narrows_the_list(admin_client):
    Contact.objects.create(email="ada@acme.com")
    Contact.objects.create(email="bob@other.org")
    tree = {"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"}]}

    response = admin_client.get(URL, {"filter": json.dumps(tree)})

    assert shown(response) == ["ada@acme.com"]


def test_an_invalid_filter_shows_its_error_instead_of_failing(admin_client):
    tree = {"property": "emial", "op": "eq", "value": "x"}

    response = admin_client.get(URL, {"filter": json.dumps(tree)})

    assert "did you mean &#x27;email&#x27;?" in response.content.decode()


def test_sorting_by_a_column_and_by_a_custom_number(admin_client):
    PropertyDefinition.objects.create(object_type="contact", name="score", label="Score",
                                      type="number")
    for email, score in [("a@x.com", 9), ("b@x.com", 100), ("c@x.com", 20)]:
        Contact.objects.create(email=email, properties={"score": score})
    Contact.objects.create(email="d@x.com")

    by_email = admin_client.get(URL, {"sort": "-email"})
    by_score = admin_client.get(URL, {"sort": "score", "columns": "email,score"})

    assert shown(by_email) == ["d@x.com", "c@x.com", "b@x.com", "a@x.com"]
    assert shown(by_score) == ["a@x.com", "c@x.com", "b@x.com", "d@x.com"]
    assert "Score" in by_score.content.decode()


def test_keyset_pages_walk_the_whole_sorted_list_once(admin_client):
    make_contacts(60)
    Contact.objects.filter(email__in=["p001@example.com", "p002@example.com"]).update(
        city="")
    Contact.objects.exclude(city="").update(city="Oslo")
    seen = []
    response = admin_client.get(URL, {"sort": "city"})
    while True:
        seen += shown(response)
        cursor = response.context["next_cursor"]
        if not cursor:
            break
        response = admin_client.get(URL, {"sort": "city", "after": cursor})

    assert len(seen) == 60 and len(set(seen)) == 60


def test_the_list_page_runs_a_bounded_number_of_queries(admin_client, admin_user,
                                                        django_assert_max_num_queries):
    company = Company.objects.create(name="Acme")
    make_contacts(50, owner=admin_user, company=company)

    with django_assert_max_num_queries(11):
        response = admin_client.get(URL, {"columns": "email,company,owner,created_by"})

    assert len(response.context["rows"]) == 50


def test_a_sales_user_sees_every_contact_but_deals_only_their_own(client, sales_user,
                                                                  admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    stage = pipeline.stages.first()
    Deal.objects.create(name="Mine", pipeline=pipeline, stage=stage, owner=sales_user)
    Deal.objects.create(name="Theirs", pipeline=pipeline, stage=stage, owner=admin_user)
    client.force_login(sales_user)

    response = client.get("/deals/")

    assert [record.name for record, _ in response.context["rows"]] == ["Mine"]


def test_saving_a_view_keeps_filter_columns_and_sort(admin_client, admin_user):
    tree = {"all": [{"property": "city", "op": "eq", "value": "Oslo"}]}

    response = admin_client.post(URL, {"action": "save_view", "name": "Oslo people",
                                       "filter": json.dumps(tree), "columns": "email,city",
                                       "sort": "-email", "shared": "on"})

    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}?view={view.pk}"
    assert (view.filter, view.columns, view.sort, view.shared) == (
        tree, ["email", "city"], "-email", True)
    assert view.owner == admin_user


def test_opening_a_saved_view_applies_it(admin_client, admin_user):
    Contact.objects.create(email="a@x.com", city="Oslo")
    Contact.objects.create(email="b@x.com", city="Rome")
    view = SavedView.objects.create(owner=admin_user, object_type="contact", name="Oslo",
                                    filter={"property": "city", "op": "eq", "value": "oslo"})

    response = admin_client.get(URL, {"view": view.pk})

    assert shown(response) == ["a@x.com"]


def test_private_views_of_others_are_not_offered(client, sales_user, admin_user):
    SavedView.objects.create(owner=admin_user, object_type="contact", name="Secret")
    SavedView.objects.create(owner=admin_user, object_type="contact", name="Team",
                             shared=True)
    client.force_login(sales_user)

    response = client.get(URL)

    assert [v.name for v in response.context["views"]] == ["Team"]


def test_a_saved_view_with_an_invalid_filter_is_refused(admin_client):
    admin_client.post(URL, {"action": "save_view", "name": "Bad",
                            "filter": json.dumps({"property": "nope", "op": "eq"})})

    assert not SavedView.objects.exists()


# --- bulk actions --------------------------------------------------------------------------

def test_bulk_assign_sets_the_owner_of_selected_rows_with_one_event_each(admin_client,
                                                                         admin_user,
                                                                         sales_user):
    first, second, third = make_contacts(3)

    response = admin_client.post(URL, {"action": "bulk_assign", "confirm": "yes",
                                       "ids": [first.pk, second.pk], "owner": sales_user.pk})

    assert response.status_code == 302
    assert set(Contact.objects.filter(owner=sales_user).values_list("pk", flat=True)) == {
        first.pk, second.pk}
    events = Event.objects.filter(kind="contact.property_changed")
    assert sorted(e.contact_id for e in events) == sorted([first.pk, second.pk])
    assert events.first().data["new"]["id"] == sales_user.pk
    assert Contact.objects.get(pk=first.pk).version == 2


def test_bulk_actions_need_the_confirmation(admin_client, sales_user):
    contact, = make_contacts(1)

    response = admin_client.post(URL, {"action": "bulk_assign", "ids": [contact.pk],
                                       "owner": sales_user.pk})

    assert response.status_code == 403


def test_bulk_edit_of_all_matching_uses_a_fixed_number_of_queries(
        admin_client, django_assert_max_num_queries):
    make_contacts(300, city="Oslo")
    make_contacts(0)
    Contact.objects.create(email="rome@x.com", city="Rome")
    tree = {"property": "city", "op": "eq", "value": "Oslo"}

    with django_assert_max_num_queries(14):
        admin_client.post(URL, {"action": "bulk_edit", "confirm": "yes", "scope": "all",
                                "filter": json.dumps(tree), "field": "job_title",
                                "value": "Engineer"})

    assert Contact.objects.filter(job_title="Engineer").count() == 300
    assert Contact.objects.get(email="rome@x.com").job_title == ""
    assert Event.objects.filter(kind="contact.property_changed").count() == 300


def test_bulk_edit_of_a_custom_property_writes_json_and_history(admin_client):
    PropertyDefinition.objects.create(object_type="contact", name="tier", label="Tier",
                                      type="select", options=[{"value": "gold"}])
    first, second = make_contacts(2)
    Contact.objects.filter(pk=first.pk).update(properties={"keep": 1})

    admin_client.post(URL, {"action": "bulk_edit", "confirm": "yes", "scope": "all",
                            "field": "tier", "value": "gold"})

    assert Contact.objects.get(pk=first.pk).properties == {"keep": 1, "tier": "gold"}
    assert Contact.objects.get(pk=second.pk).properties == {"tier": "gold"}
    event = Event.objects.filter(kind="contact.property_changed").first()
    assert (event.data["field"], event.data["old"], event.data["new"]) == ("tier", None,
                                                                          "gold")


def test_bulk_edits_skip_records_the_user_may_not_edit(client, sales_user, admin_user):
    mine, = make_contacts(1, owner=sales_user)
    theirs = Contact.objects.create(email="theirs@x.com", owner=admin_user)
    client.force_login(sales_user)

    client.post(URL, {"action": "bulk_edit", "confirm": "yes",
                      "ids": [mine.pk, theirs.pk], "field": "city", "value": "Oslo"})

    assert Contact.objects.get(pk=mine.pk).city == "Oslo"
    assert Contact.objects.get(pk=theirs.pk).city == ""


def test_bulk_delete_needs_the_delete_capability(client, sales_user):
    mine, = make_contacts(1, owner=sales_user)
    client.force_login(sales_user)

    response = client.post(URL, {"action": "bulk_delete", "confirm": "yes",
                                 "ids": [mine.pk]})

    assert response.status_code == 403
    assert Contact.objects.filter(pk=mine.pk).exists()


def test_bulk_delete_removes_the_selection_with_one_event_each(admin_client):
    first, second, keep = make_contacts(3)

    admin_client.post(URL, {"action": "bulk_delete", "confirm": "yes",
                            "ids": [first.pk, second.pk]})

    assert list(Contact.objects.values_list("pk", flat=True)) == [keep.pk]
    assert Event.objects.filter(kind="contact.deleted").count() == 2


def test_huge_results_show_an_estimate_on_postgresql(monkeypatch):
    from django.db import connection

    from clarion.crm import lists

    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate is a PostgreSQL feature")
    make_contacts(3)
    monkeypatch.setattr(lists, "ESTIMATE_ABOVE", -1)

    counted = lists.count_records(Contact.objects.all())

    assert counted["estimated"] is True and counted["total"] >= 0


def test_the_filter_builder_offers_fields_of_associated_records(admin_client):
    PropertyDefinition.objects.create(object_type="company", name="tier", label="Tier",
                                      type="select", options=[{"value": "gold"}])

    response = admin_client.get(URL)

    fields = {f["name"]: f for f in response.context["catalogue_json"]}
    assert fields["company.employees"]["family"] == "number"
    assert fields["company.tier"]["options"] == [["gold", "gold"]]
    assert fields["deals.amount"]["label"].startswith("Deals › ")


def test_a_filter_through_the_company_narrows_contacts(admin_client):
    big = Company.objects.create(name="Big", employees=900)
    Contact.objects.create(email="big@x.com", company=big)
    Contact.objects.create(email="solo@x.com")
    tree = {"all": [{"all": [{"association": "company",
                              "where": {"property": "employees", "op": "gte", "value": 100}}]}]}

    response = admin_client.get(URL, {"filter": json.dumps(tree)})

    assert shown(response) == ["big@x.com"]


@pytest.mark.parametrize("url", ["/contacts/", "/companies/", "/deals/"])
def test_every_record_type_has_the_list_view_with_sorting_on_each_column(admin_client, url,
                                                                         admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    company = Company.objects.create(name="Acme", owner=admin_user)
    Contact.objects.create(email="a@x.com", company=company, owner=admin_user)
    Deal.objects.create(name="Big", pipeline=pipeline, stage=pipeline.stages.first(),
                        company=company, owner=admin_user)
    catalogue = admin_client.get(url).context["catalogue"]

    for name in catalogue.fields:
        response = admin_client.get(url, {"sort": f"-{name}", "columns": name})
        assert response.status_code == 200 and len(response.context["rows"]) == 1, name


def test_htmx_requests_get_only_the_results(admin_client):
    response = admin_client.get(URL, headers={"HX-Request": "true"})

    assert "crm/list/results.html" in [t.name for t in response.templates]
    assert "crm/list/page.html" not in [t.name for t in response.templates]


def test_a_count_beyond_the_exact_limit_reads_more_than(monkeypatch, admin_user):
    from clarion.crm import lists
    from clarion.crm.models import Contact

    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 3)
    Contact.objects.bulk_create(Contact(email=f"c{n}@example.com") for n in range(5))

    assert lists.count_records(Contact.objects.all()) == {
        "total": 3, "estimated": False, "more_than": True}
    assert lists.count_records(Contact.objects.filter(email="c1@example.com")) == {
        "total": 1, "estimated": False}


def test_a_list_the_user_may_see_nothing_of_counts_zero(client, roles):
    from clarion.accounts.models import Role
    from clarion.accounts.services import create_user
    from clarion.crm.models import Contact

    nobody = create_user(email="nobody@example.com", password="pw",
                         role=Role.objects.create(name="No records", capabilities=[]))
    Contact.objects.create(email="hidden@example.com")
    client.force_login(nobody)

    response = client.get("/contacts/")

    assert response.status_code == 200
    assert "hidden@example.com" not in response.text


def test_keyset_pages_keep_rows_created_within_the_same_millisecond(admin_user):
    from datetime import UTC, datetime

    from clarion.core.filters import build_catalogue
    from clarion.crm import lists
    from clarion.crm.models import Contact

    base = datetime(2026, 1, 1, tzinfo=UTC)
    Contact.objects.bulk_create(
        Contact(email=f"same-ms-{n}@example.com", created_at=base.replace(microsecond=100 + n))
        for n in range(5))
    catalogue = build_catalogue(Contact, "contact")
    state = lists.ListState(sort="-created_at")

    seen, after = [], ""
    while True:
        page, after = lists.list_page(Contact.objects.all(), state, catalogue, after, size=2)
        seen += [contact.email for contact in page]
        if not after:
            break

    assert sorted(seen) == sorted(f"same-ms-{n}@example.com" for n in range(5))
    assert len(seen) == 5
