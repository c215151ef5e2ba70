"""Merging two contacts in the browser: the record's duplicates notice, the duplicates list,
and the merge screen with a choice per field."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Company, Contact
from clarion.crm.services import create_record
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(transactional_db):
    roles = ensure_default_roles()
    return create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                       role=roles["Admin"], is_admin=True)


@pytest.fixture
def twins(admin):
    acme = create_record(Company, actor=admin, values={"name": "Acme", "owner": admin})
    values = {"last_name": "Smith", "company": acme, "owner": admin}
    jon = create_record(Contact, actor=admin, values={
        **values, "first_name": "Jon", "email": "jon@acme.com", "city": "Oslo"})
    john = create_record(Contact, actor=admin, values={
        **values, "first_name": "John", "email": "john.smith@acme.com", "city": "Lyon"})
    return jon, john


def test_merging_two_contacts_from_the_duplicates_notice(page, admin, twins):
    jon, john = twins
    login(page, admin.email, PASSWORD)

    page.goto(f"/contacts/{jon.pk}/")
    notice = page.locator(".duplicates-notice")
    expect(notice).to_contain_text("John Smith")
    assert_accessible(page)
    notice.get_by_role("link", name="Compare and merge").click()

    expect(page.get_by_role("heading", name="Merge contacts")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Lyon").check()
    page.get_by_role("radio", name="john.smith@acme.com").check()
    page.get_by_role("button", name="Merge and delete").click()

    expect(page.get_by_role("heading", name="Jon Smith")).to_be_visible()
    kept = Contact.objects.get(pk=jon.pk)
    assert (kept.city, kept.email) == ("Lyon", "john.smith@acme.com")
    assert not Contact.objects.filter(pk=john.pk).exists()


def test_the_duplicates_list_is_accessible(page, admin, twins):
    login(page, admin.email, PASSWORD)

    page.goto("/duplicates/contacts/")

    expect(page.get_by_role("cell", name="Similar name at the same company")).to_be_visible()
    assert_accessible(page)
