import pytest
from django.core.exceptions import PermissionDenied

from clarion.core.events.models import Event
from clarion.core.events.queries import events_for_contact, events_for_subject
from clarion.crm.merge import merge_records
from clarion.crm.models import Company, Contact, Deal
from clarion.crm.services import update_record
from tests.crm.api_support import *  # noqa: F403  (fixtures)
from tests.crm.api_support import key_for, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(admin_user):
    keep = make_contact(admin_user, email="jon@acme.com", first_name="Jon", city="Oslo",
                        tier="gold")
    lose = make_contact(admin_user, email="john.smith@acme.com", first_name="John",
                        city="Lyon", job_title="CTO", tier="silver")
    return keep, lose


def test_merging_keeps_the_chosen_value_of_each_field(admin_user, pair):
    keep, lose = pair

    merged = merge_records(keep, lose, actor=admin_user,
                           choices={"email": "other", "city": "this", "tier": "other"})

    assert (merged.email, merged.first_name, merged.city) == ("john.smith@acme.com", "Jon",
                                                              "Oslo")
    assert merged.properties["tier"] == "silver"
    assert not Contact.objects.filter(pk=lose.pk).exists()


def test_a_field_empty_on_the_survivor_takes_the_other_value_unless_told(admin_user, pair):
    keep, lose = pair

    merged = merge_records(keep, lose, actor=admin_user, choices={})

    assert merged.job_title == "CTO"


def test_the_timelines_of_both_contacts_are_kept(admin_user, pair):
    keep, lose = pair
    update_record(lose, actor=admin_user, values={"city": "Paris"})
    before = {e.pk for e in events_for_contact(keep.pk)} | {
        e.pk for e in events_for_contact(lose.pk)}

    merge_records(keep, lose, actor=admin_user, choices={})

    after = {e.pk for e in events_for_contact(keep.pk, limit=100)}
    assert before <= after
    merged_event = Event.objects.get(kind="contact.merged")
    assert merged_event.contact_id == keep.pk
    assert merged_event.data["merged"]["id"] == lose.pk
    assert not Event.objects.filter(contact_id=lose.pk).exists()


def test_the_merged_contacts_deals_move_to_the_survivor(admin_user, pair, pipeline):
    keep, lose = pair
    shared, only_lost = make_deal(admin_user, pipeline), make_deal(admin_user, pipeline)
    shared.contacts.set([keep, lose])
    only_lost.contacts.set([lose])

    merge_records(keep, lose, actor=admin_user, choices={})

    assert set(keep.deals.all()) == {shared, only_lost}
    assert list(shared.contacts.all()) == [keep]


def test_merging_companies_moves_their_contacts_deals_and_timeline(admin_user, pipeline):
    keep, lose = make_company(admin_user, name="Acme"), make_company(admin_user, name="ACME Inc")
    contact = make_contact(admin_user, company=lose)
    deal = make_deal(admin_user, pipeline, company=lose)

    merge_records(keep, lose, actor=admin_user, choices={"name": "this"})

    assert Contact.objects.get(pk=contact.pk).company_id == keep.pk
    assert Deal.objects.get(pk=deal.pk).company_id == keep.pk
    kinds = [event.kind for event in events_for_subject(keep)]
    assert kinds.count("company.created") == 2 and kinds[0] == "company.merged"
    assert not Company.objects.filter(pk=lose.pk).exists()


def test_merging_needs_the_right_to_delete_the_other_record(sales_user):
    keep, lose = make_contact(sales_user), make_contact(sales_user)

    with pytest.raises(PermissionDenied):
        merge_records(keep, lose, actor=sales_user, choices={})

    assert Contact.objects.filter(pk=lose.pk).exists()


def test_the_merge_api_merges_the_other_contact_into_this_one(client, admin_user, pair):
    keep, lose = pair

    response = client.post(f"/api/v1/contacts/{keep.pk}/merge",
                           {"other_id": lose.pk, "values": {"city": "other"}},
                           content_type="application/json", **key_for(admin_user))

    assert response.status_code == 200
    assert response.json()["city"] == "Lyon" and response.json()["id"] == keep.pk
    assert not Contact.objects.filter(pk=lose.pk).exists()


def test_the_merge_api_refuses_a_merge_one_may_not_do(client, sales_user, admin_user):
    keep, lose = make_contact(sales_user), make_contact(sales_user)
    others = make_contact(admin_user)
    headers = key_for(sales_user)
    url = f"/api/v1/contacts/{keep.pk}/merge"

    no_delete = client.post(url, {"other_id": lose.pk}, content_type="application/json",
                            **headers)
    not_own = client.post(url, {"other_id": others.pk}, content_type="application/json",
                          **headers)

    assert no_delete.status_code == 403 and not_own.status_code == 403
    assert Contact.objects.count() == 3


def test_the_merge_api_refuses_unknown_fields(client, admin_user, pair):
    keep, lose = pair

    response = client.post(f"/api/v1/contacts/{keep.pk}/merge",
                           {"other_id": lose.pk, "values": {"password": "other"}},
                           content_type="application/json", **key_for(admin_user))

    assert response.status_code == 422
    assert Contact.objects.filter(pk=lose.pk).exists()
