"""Record pickers at scale: forms list a bounded number of records with a search box, accept
any visible record, and the picker's search never shows records the user may not see."""

import pytest
from django.urls import reverse

from clarion.accounts.models import Role
from clarion.accounts.services import create_user
from clarion.crm.models import Company, Contact
from clarion.crm.pickers import PICKER_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_companies(admin_user):
    return Company.objects.bulk_create(
        Company(name=f"Company {n:03}", owner=admin_user) for n in range(PICKER_LIMIT + 20))


def test_a_few_companies_are_all_listed_without_a_search_box(client, admin_user):
    Company.objects.create(name="Globex", owner=admin_user)
    client.force_login(admin_user)

    page = client.get(reverse("crm:contact_create")).content.decode()

    assert "Globex" in page
    assert "picker-search" not in page


def test_many_companies_are_listed_up_to_the_limit_with_a_search_box(
        client, admin_user, many_companies, django_assert_max_num_queries):
    client.force_login(admin_user)

    with django_assert_max_num_queries(20):
        page = client.get(reverse("crm:contact_create")).content.decode()

    assert "picker-search" in page
    assert page.count("Company ") <= PICKER_LIMIT + 1


def test_a_company_missing_from_the_shown_list_is_still_accepted(client, admin_user,
                                                                 many_companies):
    oldest = many_companies[0]  # the list shows the most recent ones
    client.force_login(admin_user)

    response = client.post(reverse("crm:contact_create"), {
        "first_name": "Ann", "email": "ann@example.com", "owner": admin_user.pk,
        "company": oldest.pk})

    assert response.status_code == 302
    assert Contact.objects.get(email="ann@example.com").company == oldest


def test_the_picker_searches_by_prefix_and_keeps_the_chosen_option(client, admin_user,
                                                                   many_companies):
    client.force_login(admin_user)
    chosen = many_companies[5]

    page = client.get(reverse("search:picker"), {
        "type": "company", "name": "company", "company": chosen.pk, "q": "company 11",
        "blank": "1"}).content.decode()

    assert page.startswith('<option value="">')
    assert f'<option value="{chosen.pk}" selected>{chosen.name}</option>' in page
    assert "Company 110" in page and "Company 119" in page
    assert "Company 001" not in page


def test_the_picker_shows_only_records_the_user_may_see(client, admin_user, roles):
    own_role = Role.objects.create(name="Own contacts", capabilities=[
        "contacts.view_own", "contacts.edit_own"])
    seller = create_user(email="own@example.com", password="x", role=own_role)
    Contact.objects.create(first_name="Mine", email="mine@example.com", owner=seller)
    Contact.objects.create(first_name="Hidden", email="hidden@example.com", owner=admin_user)
    client.force_login(seller)

    page = client.get(reverse("search:picker"), {"type": "contact", "name": "contacts",
                                                 "q": ""}).content.decode()

    assert "Mine" in page
    assert "Hidden" not in page


def test_an_unknown_type_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("search:picker"), {"type": "user"}).status_code == 404
