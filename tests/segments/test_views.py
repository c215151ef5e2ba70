"""The segment pages: who may see, create, change and delete segments; the builder's live
count; members pages that only show what the viewer may see, in a bounded number of
queries; static list members by hand; the contact page panel and the list pages' options."""

import json

import pytest
from django.urls import reverse

from clarion.accounts.services import create_user
from clarion.crm.models import Company, Contact
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment, refresh_segment
from tests.segments.support import did, make_contact, member_ids

PASSWORD = "correct horse battery"
LEADS = {"all": [{"property": "lifecycle_stage", "op": "eq", "value": "lead"}]}


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password=PASSWORD, first_name="Mia",
                       role=roles["Marketing"])


@pytest.fixture
def reader(roles):
    return create_user(email="rey@example.com", password=PASSWORD, first_name="Rey",
                       role=roles["Read-only"])


@pytest.fixture
def sales(sales_user):
    return sales_user


@pytest.fixture
def leads(db, admin_user):
    return create_segment(actor=admin_user, name="Leads", kind=Segment.Kind.DYNAMIC,
                          definition=LEADS)


def signed_in(client, user):
    client.force_login(user)
    return client


# --- who may see and change --------------------------------------------------------------

def test_everyone_who_sees_contacts_sees_segments_but_only_managers_get_create_buttons(
        client, reader, marketer, leads):
    page = signed_in(client, reader).get(reverse("segments:list"))
    assert page.status_code == 200
    assert "Leads" in page.text
    assert reverse("segments:create") not in page.text
    page = signed_in(client, marketer).get(reverse("segments:list"))
    assert reverse("segments:create") + "?kind=static" in page.text


def test_people_without_contact_access_get_403_and_404(client, roles, leads):
    nobody = create_user(email="no@example.com", password=PASSWORD, role=None)
    client.force_login(nobody)
    assert client.get(reverse("segments:list")).status_code == 403
    assert client.get(reverse("segments:detail", args=[leads.pk])).status_code == 403


def test_an_unknown_segment_is_404(client, reader):
    assert signed_in(client, reader).get(
        reverse("segments:detail", args=[999])).status_code == 404


def test_without_segments_manage_nothing_can_be_changed(client, reader, leads):
    signed_in(client, reader)
    assert client.get(reverse("segments:create")).status_code == 403
    assert client.get(reverse("segments:edit", args=[leads.pk])).status_code == 403
    assert client.post(reverse("segments:delete", args=[leads.pk])).status_code == 403
    assert client.post(reverse("segments:refresh", args=[leads.pk])).status_code == 403
    assert Segment.objects.filter(pk=leads.pk).exists()


# --- creating, editing, deleting ---------------------------------------------------------

def test_a_marketer_saves_a_dynamic_segment_from_the_builder(client, marketer):
    lead = make_contact(lifecycle_stage="lead")
    make_contact(lifecycle_stage="customer")
    response = signed_in(client, marketer).post(reverse("segments:create"), {
        "name": "Leads", "kind": "dynamic", "definition": json.dumps(LEADS)})
    segment = Segment.objects.get()
    assert response.status_code == 302 and response.url == segment.get_absolute_url()
    assert segment.is_dynamic and segment.owner == marketer
    assert member_ids(segment) == {lead.pk}


def test_saving_as_a_static_list_takes_a_snapshot_of_the_matches(client, marketer):
    lead = make_contact(lifecycle_stage="lead")
    signed_in(client, marketer).post(reverse("segments:create"), {
        "name": "Snapshot", "kind": "static", "definition": json.dumps(LEADS)})
    snapshot = Segment.objects.get()
    later = make_contact(lifecycle_stage="lead")
    assert snapshot.is_static
    assert member_ids(snapshot) == {lead.pk}
    assert later.pk not in member_ids(snapshot)


def test_an_invalid_definition_is_refused_with_the_bad_condition_named(client, marketer):
    bad = {"all": [{"property": "emial", "op": "eq", "value": "x"}]}
    page = signed_in(client, marketer).post(reverse("segments:create"), {
        "name": "Bad", "kind": "dynamic", "definition": json.dumps(bad)})
    assert page.status_code == 200
    assert "unknown property" in page.text and "emial" in page.text
    assert 'data-error-path="filter.all[0]' in page.text
    assert not Segment.objects.exists()


def test_editing_changes_the_conditions_and_the_members(client, marketer, leads):
    customer = make_contact(lifecycle_stage="customer")
    signed_in(client, marketer).post(reverse("segments:edit", args=[leads.pk]), {
        "name": "Customers", "description": "", "definition": json.dumps(
            {"all": [{"property": "lifecycle_stage", "op": "eq", "value": "customer"}]})})
    leads.refresh_from_db()
    assert leads.name == "Customers"
    assert member_ids(leads) == {customer.pk}


def test_deleting_a_segment_flags_the_segments_that_use_it(client, marketer, leads,
                                                          admin_user):
    using = create_segment(actor=admin_user, name="Not leads", kind="dynamic",
                           definition={"segment": leads.pk, "op": "not_in"})
    response = signed_in(client, marketer).post(reverse("segments:delete", args=[leads.pk]))
    assert response.url == reverse("segments:list")
    assert not Segment.objects.filter(pk=leads.pk).exists()
    using.refresh_from_db()
    assert using.problem
    page = client.get(reverse("segments:list"))
    assert "Needs attention" in page.text


def test_refresh_now_brings_membership_up_to_date(client, marketer, leads):
    lead = Contact.objects.create(email="quiet@example.com", lifecycle_stage="lead")
    signed_in(client, marketer).post(reverse("segments:refresh", args=[leads.pk]))
    assert lead.pk in member_ids(leads)


# --- the builder's live count --------------------------------------------------------------

def test_the_count_endpoint_counts_and_previews_matches(client, reader):
    make_contact(lifecycle_stage="lead", first_name="Lena")
    make_contact(lifecycle_stage="customer", first_name="Carl")
    page = signed_in(client, reader).post(reverse("segments:count"),
                                          {"definition": json.dumps(LEADS)})
    assert 'data-count="1"' in page.text
    assert "Lena" in page.text and "Carl" not in page.text


def test_the_count_endpoint_counts_behaviour(client, reader):
    keen = make_contact(first_name="Keen")
    for _ in range(3):
        did(keen, url="https://example.org/pricing")
    did(make_contact(first_name="Once"), url="https://example.org/pricing")
    definition = {"all": [{"event": "page.viewed", "count": {"gte": 3}, "within_days": 30,
                           "where": {"property": "url", "op": "contains",
                                     "value": "/pricing"}}]}
    page = signed_in(client, reader).post(reverse("segments:count"),
                                          {"definition": json.dumps(definition)})
    assert 'data-count="1"' in page.text and "Keen" in page.text


def test_the_count_endpoint_names_the_bad_condition(client, reader):
    bad = {"any": [LEADS, {"event": "page.viewed", "count": {"gte": -1}}]}
    page = signed_in(client, reader).post(reverse("segments:count"),
                                          {"definition": json.dumps(bad)})
    assert 'data-path="filter.any[1]' in page.text
    assert "count" in page.text


def test_the_count_only_counts_contacts_the_viewer_may_see(client, sales, admin_user):
    make_contact(lifecycle_stage="lead")
    page = signed_in(client, sales).post(reverse("segments:count"),
                                         {"definition": json.dumps(LEADS)})
    assert 'data-count="1"' in page.text  # Sales sees every contact
    own_only = create_user(email="own@example.com", password=PASSWORD,
                           role=sales.role.__class__.objects.create(
                               name="Own", capabilities=["contacts.view_own"]))
    page = signed_in(client, own_only).post(reverse("segments:count"),
                                            {"definition": json.dumps(LEADS)})
    assert 'data-count="0"' in page.text


# --- one segment's page -------------------------------------------------------------------

def test_the_members_page_shows_only_visible_members_in_few_queries(
        client, roles, admin_user, django_assert_max_num_queries):
    own_only = create_user(email="own@example.com", password=PASSWORD,
                           role=roles["Admin"].__class__.objects.create(
                               name="Own", capabilities=["contacts.view_own"]))
    acme = Company.objects.create(name="Acme")
    mine = [make_contact(lifecycle_stage="lead", owner=own_only, company=acme)
            for _ in range(5)]
    hidden = make_contact(lifecycle_stage="lead", first_name="Hidden")
    segment = create_segment(actor=admin_user, name="Leads", kind="dynamic",
                             definition=LEADS)
    signed_in(client, own_only)
    with django_assert_max_num_queries(9):  # 8 today, whatever the number of members
        page = client.get(segment.get_absolute_url())
    assert page.status_code == 200
    for contact in mine:
        assert contact.get_absolute_url() in page.text
    assert hidden.get_absolute_url() not in page.text
    assert "Lifecycle stage is" in page.text  # the conditions in words


def test_members_are_cursor_paginated(client, admin_user):
    segment = create_segment(actor=admin_user, name="All", kind="static")
    contacts = [make_contact() for _ in range(55)]
    add_members(segment, contacts, actor=admin_user)
    first = signed_in(client, admin_user).get(segment.get_absolute_url())
    assert contacts[-1].get_absolute_url() in first.text
    cursor = first.context["next_cursor"]
    assert cursor
    second = client.get(segment.get_absolute_url(), {"after": cursor})
    assert contacts[0].get_absolute_url() in second.text
    assert contacts[-1].get_absolute_url() not in second.text
    assert not second.context["next_cursor"]


def test_the_segment_list_page_has_a_bounded_number_of_queries(
        client, admin_user, django_assert_max_num_queries):
    for number in range(8):
        create_segment(actor=admin_user, name=f"List {number}", kind="static")
    signed_in(client, admin_user)
    with django_assert_max_num_queries(6):  # 5 today, whatever the number of segments
        page = client.get(reverse("segments:list"))
    assert "List 7" in page.text


# --- static list members by hand ------------------------------------------------------------

def test_contacts_are_found_added_and_removed_by_hand(client, marketer):
    members = create_segment(actor=marketer, name="VIP", kind="static")
    ada = make_contact(first_name="Ada", last_name="Lovelace")
    signed_in(client, marketer)
    found = client.get(reverse("segments:contact_picker", args=[members.pk]), {"q": "ada"})
    assert "Ada Lovelace" in found.text
    client.post(reverse("segments:members_add", args=[members.pk]), {"contact": [ada.pk]})
    assert member_ids(members) == {ada.pk}
    found = client.get(reverse("segments:contact_picker", args=[members.pk]), {"q": "ada"})
    assert "Ada Lovelace" not in found.text
    client.post(reverse("segments:members_remove", args=[members.pk]), {"contact": [ada.pk]})
    assert member_ids(members) == set()


def test_a_dynamic_segment_takes_no_members_by_hand(client, marketer, leads):
    contact = make_contact()
    response = signed_in(client, marketer).post(
        reverse("segments:members_add", args=[leads.pk]), {"contact": [contact.pk]})
    assert response.status_code == 403


# --- other pages ---------------------------------------------------------------------------

def test_the_contact_page_lists_the_contacts_segments(client, admin_user, leads):
    lead = make_contact(lifecycle_stage="lead", owner=admin_user)
    refresh_segment(leads)
    page = signed_in(client, admin_user).get(lead.get_absolute_url())
    assert "Segments and lists" in page.text
    assert leads.get_absolute_url() in page.text


def test_add_to_list_adds_the_selected_contacts(client, marketer):
    chosen, other = make_contact(), make_contact()
    target = create_segment(actor=marketer, name="Chosen", kind="static")
    signed_in(client, marketer).post(reverse("segments:add_to_list"), {
        "list": target.pk, "ids": [chosen.pk], "filter": ""})
    assert member_ids(target) == {chosen.pk}
    client.post(reverse("segments:add_to_list"), {
        "new_list": "Everyone", "scope": "all", "filter": ""})
    assert member_ids(Segment.objects.get(name="Everyone")) == {chosen.pk, other.pk}


def test_add_to_list_needs_segments_manage(client, reader):
    contact = make_contact()
    response = signed_in(client, reader).post(reverse("segments:add_to_list"), {
        "new_list": "Mine", "ids": [contact.pk]})
    assert response.status_code == 403
    assert not Segment.objects.exists()


def test_the_contact_list_offers_membership_and_behaviour_conditions(client, reader, leads):
    signed_in(client, reader)
    options = client.get(reverse("segments:builder_options"), {"path": "/contacts/"}).json()
    assert [str(leads.pk), "Leads"] in options["segments"]
    assert any(kind == "page.viewed" for kind, _label in options["events"])
    assert client.get(reverse("segments:builder_options"), {"path": "/deals/"}).json() == {}


def test_the_contact_list_filters_by_membership(client, admin_user, leads):
    lead = make_contact(lifecycle_stage="lead", first_name="Lena")
    make_contact(lifecycle_stage="customer", first_name="Carl")
    refresh_segment(leads)
    page = signed_in(client, admin_user).get("/contacts/", {
        "filter": json.dumps({"all": [{"segment": leads.pk, "op": "in"}]})})
    assert lead.get_absolute_url() in page.text
    assert "Carl" not in page.text


def test_add_to_list_offers_the_static_lists(client, marketer, leads):
    create_segment(actor=marketer, name="Newsletter", kind="static")
    page = signed_in(client, marketer).get(reverse("segments:list_choices"))
    assert "Newsletter" in page.text
    assert "Leads" not in page.text  # a dynamic segment takes no contacts by hand


def test_add_to_list_returns_to_the_list_page_never_elsewhere(client, marketer):
    contact = make_contact()
    target = create_segment(actor=marketer, name="Chosen", kind="static")
    signed_in(client, marketer)
    back = client.post(reverse("segments:add_to_list"), {"list": target.pk, "ids": [contact.pk]},
                       HTTP_REFERER="http://testserver/contacts/?view=3")
    assert back.url == "http://testserver/contacts/?view=3"
    away = client.post(reverse("segments:add_to_list"), {"list": target.pk, "ids": [contact.pk]},
                       HTTP_REFERER="https://evil.example.com/")
    assert away.url == "/contacts/"
