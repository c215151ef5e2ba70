import pytest
from django.urls import reverse

from clarion.crm.models import Contact
from tests.crm.api_support import make_company, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(admin_user):
    acme = make_company(admin_user, name="Acme")
    jon = make_contact(admin_user, first_name="Jon", last_name="Smith", company=acme,
                       email="jon@acme.com", city="Oslo")
    john = make_contact(admin_user, first_name="John", last_name="Smith", company=acme,
                        email="john@acme.com", city="Lyon")
    return jon, john


def test_the_duplicates_page_lists_pairs_with_their_reason(client, admin_user, twins,
                                                           django_assert_max_num_queries):
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):  # session, user, two rules, the records
        response = client.get(reverse("crm_merge:list", args=["contacts"]))

    page = response.content.decode()
    assert "Similar name at the same company" in page
    assert reverse("crm_merge:merge", args=["contacts", twins[0].pk, twins[1].pk]) in page


def test_the_duplicates_page_says_so_when_there_are_none(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("crm_merge:list", args=["companies"]))

    assert "No possible duplicates" in response.content.decode()


def test_a_records_page_loads_the_duplicates_notice(client, admin_user, twins):
    jon, john = twins
    client.force_login(admin_user)

    page = client.get(reverse("crm:contact_detail", args=[jon.pk])).content.decode()
    notice = client.get(reverse("crm_merge:notice", args=["contacts", jon.pk])).content.decode()

    assert reverse("crm_merge:notice", args=["contacts", jon.pk]) in page
    assert "This record may have a duplicate" in notice and str(john) in notice


def test_the_merge_screen_offers_a_choice_for_each_differing_field(client, admin_user, twins):
    jon, john = twins
    client.force_login(admin_user)

    page = client.get(reverse("crm_merge:merge", args=["contacts", jon.pk, john.pk]))

    html = page.content.decode()
    assert 'name="field-city" value="this"' in html and 'name="field-city" value="other"' in html
    assert 'name="field-last_name"' not in html  # the same in both


def test_merging_on_the_screen_keeps_the_chosen_values(client, admin_user, twins):
    jon, john = twins
    client.force_login(admin_user)

    response = client.post(reverse("crm_merge:merge", args=["contacts", jon.pk, john.pk]),
                           {"field-city": "other", "field-first_name": "this"})

    assert response.status_code == 302
    kept = Contact.objects.get(pk=jon.pk)
    assert (kept.first_name, kept.city) == ("Jon", "Lyon")
    assert not Contact.objects.filter(pk=john.pk).exists()


def test_the_merge_screen_needs_the_right_to_delete_the_other(client, sales_user):
    one, two = make_contact(sales_user), make_contact(sales_user)
    client.force_login(sales_user)

    response = client.get(reverse("crm_merge:merge", args=["contacts", one.pk, two.pk]))

    assert response.status_code == 403


def test_deals_have_no_duplicates_page(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/duplicates/deals/").status_code == 404
