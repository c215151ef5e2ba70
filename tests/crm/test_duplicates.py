import pytest

from clarion.crm.merge import duplicates_of, find_duplicates
from clarion.crm.models import Company, Contact
from tests.crm.api_support import make_company, make_contact

pytestmark = pytest.mark.django_db


def _pairs(user, model):
    return {(pair.first.pk, pair.second.pk): pair.reasons
            for pair in find_duplicates(user, model)}


def test_contacts_with_the_same_phone_in_any_format_are_duplicates(admin_user):
    ann = make_contact(admin_user, phone="+33 1 23-45 (67)")
    other = make_contact(admin_user, phone="3312345 67")
    make_contact(admin_user, phone="+33 9 99 99 99")

    assert _pairs(admin_user, Contact) == {(ann.pk, other.pk): ["same_phone"]}


def test_similar_names_at_the_same_company_are_duplicates(admin_user):
    acme, globex = make_company(admin_user, name="Acme"), make_company(admin_user, name="Globex")
    jon = make_contact(admin_user, first_name="Jon", last_name="Smith", company=acme)
    john = make_contact(admin_user, first_name="john", last_name="SMITH", company=acme)
    make_contact(admin_user, first_name="Jon", last_name="Smith", company=globex)
    make_contact(admin_user, first_name="Mary", last_name="Smith", company=acme)

    assert _pairs(admin_user, Contact) == {(jon.pk, john.pk): ["similar_name_same_company"]}


def test_a_pair_found_by_two_rules_lists_both_reasons(admin_user):
    acme = make_company(admin_user)
    one = make_contact(admin_user, first_name="Li", last_name="Wei", company=acme, phone="123")
    two = make_contact(admin_user, first_name="Li", last_name="Wei", company=acme, phone="123")

    assert _pairs(admin_user, Contact) == {
        (one.pk, two.pk): ["same_phone", "similar_name_same_company"]}


def test_companies_with_the_same_domain_are_duplicates(admin_user):
    one = make_company(admin_user, name="Acme", domain="acme.com")
    two = make_company(admin_user, name="Acme Europe", domain="WWW.Acme.com")

    assert _pairs(admin_user, Company) == {(one.pk, two.pk): ["same_domain"]}


def test_company_names_differing_in_case_punctuation_or_legal_form_are_duplicates(admin_user):
    one = make_company(admin_user, name="Acme, Inc.")
    two = make_company(admin_user, name="ACME")
    three = make_company(admin_user, name="Acme Ltd")
    make_company(admin_user, name="Acme Rockets")

    assert _pairs(admin_user, Company) == {(one.pk, two.pk): ["similar_name"],
                                           (one.pk, three.pk): ["similar_name"],
                                           (two.pk, three.pk): ["similar_name"]}


def test_only_records_the_user_may_see_are_paired(sales_user, roles):
    from clarion.accounts.services import create_user

    roles["Sales"].capabilities = ["contacts.view_own", "contacts.edit_own"]
    roles["Sales"].save()
    other = create_user(email="o@example.com", password=None, role=roles["Sales"])
    make_contact(sales_user, phone="555")
    make_contact(other, phone="555")
    sales_user.__dict__.pop("_clarion_capabilities", None)

    assert find_duplicates(sales_user, Contact) == []


def test_a_records_duplicates_are_found_from_the_record(admin_user):
    acme = make_company(admin_user)
    jon = make_contact(admin_user, first_name="Jon", last_name="Smith", company=acme)
    john = make_contact(admin_user, first_name="John", last_name="Smith", company=acme,
                        phone="1")
    make_contact(admin_user, first_name="Jon", last_name="Smyth", company=acme)

    found = duplicates_of(admin_user, jon)

    assert [(pair.second.pk, pair.reasons) for pair in found] == [
        (john.pk, ["similar_name_same_company"])]


def test_finding_duplicates_takes_a_query_per_rule_and_one_for_the_records(
        admin_user, django_assert_num_queries):
    for number in range(6):
        make_contact(admin_user, phone=f"55{number % 3}")
    admin_user.__dict__.pop("_clarion_capabilities", None)

    with django_assert_num_queries(3):  # two rules, then the records of the pairs
        pairs = find_duplicates(admin_user, Contact)

    assert len(pairs) == 3
