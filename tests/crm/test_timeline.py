"""A record's timeline: readable entries, newest first, filterable by kind, paginated, and the
field history it holds."""

import pytest
from django.urls import reverse

from clarion.core.properties.services import create_property
from clarion.crm.models import Company, Contact, Deal, Pipeline
from clarion.crm.services import associate, create_record, update_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def contact(admin_user):
    return create_record(Contact, actor=admin_user,
                         values={"email": "ann@example.com", "job_title": "CTO",
                                 "owner": admin_user})


def test_a_property_change_reads_as_a_sentence_with_labels_and_values(admin_client,
                                                                      admin_user, contact):
    update_record(contact, actor=admin_user, values={"job_title": "CEO"})

    response = admin_client.get(contact.get_absolute_url())

    assert "Ada changed Job title from CTO to CEO" in response.text
    assert "Ada created this contact" in response.text
    assert response.text.index("changed Job title") < response.text.index("created this")


def test_choice_and_custom_select_values_show_their_labels(admin_client, admin_user, contact):
    create_property(actor=admin_user, object_type="contact", label="Preferred language",
                    type="select", options=[{"value": "zh", "label": "Chinese"},
                                            {"value": "en", "label": "English"}])
    update_record(contact, actor=admin_user,
                  values={"lifecycle_stage": "lead", "preferred_language": "zh"})

    text = admin_client.get(contact.get_absolute_url()).text

    assert "Ada changed Lifecycle stage from — to Lead" in text
    assert "Ada changed Preferred language from — to Chinese" in text


def test_a_deal_stage_change_names_both_stages(admin_client, admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    first, second = pipeline.stages.all()[:2]
    deal = create_record(Deal, actor=admin_user, values={
        "name": "Renewal", "pipeline": pipeline, "stage": first, "owner": admin_user})
    update_record(deal, actor=admin_user, values={"stage": second})

    text = admin_client.get(deal.get_absolute_url()).text

    assert f"Ada moved the deal from {first.name} to {second.name}" in text


def test_a_contact_timeline_shows_the_deals_it_joined(admin_client, admin_user, contact):
    pipeline = Pipeline.objects.get(is_default=True)
    deal = create_record(Deal, actor=admin_user, values={
        "name": "Renewal", "pipeline": pipeline, "stage": pipeline.stages.first(),
        "owner": admin_user})
    associate(actor=admin_user, record=contact, other=deal)

    text = admin_client.get(contact.get_absolute_url()).text

    assert "Ada added ann@example.com to the deal Renewal" in text


def test_the_kind_filter_lists_the_kinds_present_and_filters(admin_client, admin_user,
                                                             contact):
    update_record(contact, actor=admin_user, values={"job_title": "CEO"})
    url = reverse("crm:contact_timeline", args=[contact.pk])

    page = admin_client.get(contact.get_absolute_url()).text
    filtered = admin_client.get(url, {"kind": "contact.created", "part": "list"}).text

    assert '<option value="contact.property_changed">Property changed</option>' in page
    assert '<option value="contact.created" selected>' in filtered
    assert "created this contact" in filtered and "changed Job title" not in filtered


def test_older_entries_come_a_page_at_a_time(admin_client, admin_user, contact, monkeypatch):
    monkeypatch.setattr("clarion.crm.timeline.PAGE_SIZE", 3)
    for number in range(5):
        update_record(contact, actor=admin_user, values={"city": f"City {number}"})

    first = admin_client.get(contact.get_absolute_url()).text
    assert "to City 4" in first and "to City 1" not in first
    older_link = first.split('class="timeline-more"')[1]
    older_url = older_link.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    second = admin_client.get(older_url, HTTP_HX_REQUEST="true").text

    assert "to City 1" in second and "created this contact" in second
    assert "to City 4" not in second and "Older" not in second


def test_field_history_lists_only_that_fields_changes(admin_client, admin_user, contact):
    update_record(contact, actor=admin_user, values={"job_title": "CEO"})
    update_record(contact, actor=admin_user, values={"city": "Shanghai"})

    text = admin_client.get(contact.get_absolute_url(), {"field": "job_title"}).text

    assert "History of Job title" in text
    assert "from CTO to CEO" in text and "to Shanghai" not in text


def test_a_company_timeline_holds_its_own_events(admin_client, admin_user):
    company = create_record(Company, actor=admin_user, values={"name": "Acme",
                                                               "owner": admin_user})
    update_record(company, actor=admin_user, values={"industry": "Software"})

    text = admin_client.get(company.get_absolute_url()).text

    assert "Ada changed Industry from — to Software" in text


def test_timeline_queries_do_not_grow_with_the_entries(admin_client, admin_user, contact,
                                                       django_assert_max_num_queries):
    for number in range(30):
        update_record(contact, actor=admin_user, values={"city": f"City {number}"})
    url = reverse("crm:contact_timeline", args=[contact.pk])

    with django_assert_max_num_queries(7):
        response = admin_client.get(url)
    assert response.text.count("timeline-entry ") == 25


def test_other_objects_kinds_are_named_with_their_object(admin_client, admin_user, contact):
    from django.db import transaction

    from clarion.core.events import emit

    with transaction.atomic():
        emit("note.created", contact_id=contact.pk, actor=admin_user, data={})

    page = admin_client.get(contact.get_absolute_url()).text

    assert '<option value="note.created">Note: Created</option>' in page
    assert '<option value="contact.created">Created</option>' in page
