"""The contacts list in a real browser: build a filter, save it as a view, and assign an owner
to selected rows after confirming; every step checked with axe; the search box by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.core.listviews.models import SavedView
from clarion.crm.models import Company, Contact
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def people(transactional_db):
    roles = ensure_default_roles()
    admin = create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                        role=roles["Admin"], is_admin=True)
    sam = create_user(email="sam@example.com", password=PASSWORD, first_name="Sam",
                      role=roles["Sales"])
    Contact.objects.create(email="olga@example.com", first_name="Olga", city="Oslo")
    Contact.objects.create(email="otto@example.com", first_name="Otto", city="Oslo")
    Contact.objects.create(email="rita@example.com", first_name="Rita", city="Rome")
    return admin, sam


def test_build_a_filter_save_it_and_bulk_assign_with_confirmation(page, people):
    admin, sam = people
    login(page, admin.email, PASSWORD)
    page.goto("/contacts/")
    expect(page.get_by_text("3 contacts")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add group").click()
    row = page.locator(".filter-row").first
    row.get_by_label("Field", exact=True).select_option(label="City")
    row.get_by_label("Condition", exact=True).select_option(label="is")
    row.get_by_label("Value", exact=True).fill("oslo")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("2 contacts")).to_be_visible()
    expect(page.get_by_role("link", name="Rita")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog", name="Save this view")
    dialog.get_by_label("Name").fill("Oslo people")
    dialog.get_by_role("button", name="Save as new view").click()
    expect(page).to_have_url(re.compile(r"\?view=\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oslo people")
    expect(page.get_by_text("2 contacts")).to_be_visible()
    assert SavedView.objects.get().filter["all"][0]["all"][0]["value"] == "oslo"

    page.get_by_label("Select Olga").check()
    page.get_by_role("button", name="Assign owner").first.click()
    dialog = page.get_by_role("dialog", name="Assign an owner to the selected records")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-selection-count]")).to_have_text("1")
    assert_accessible(page)
    dialog.get_by_label("Owner").select_option(label="Sam")
    dialog.get_by_role("button", name="Assign owner").click()
    expect(page.get_by_text("1 record updated.")).to_be_visible()
    assert Contact.objects.get(email="olga@example.com").owner == sam
    assert Contact.objects.get(email="otto@example.com").owner is None


def test_the_search_box_is_a_keyboard_combobox(page, people):
    admin, _sam = people
    login(page, admin.email, PASSWORD)

    box = page.get_by_role("combobox", name="Search contacts, companies and deals")
    box.fill("olg")
    expect(page.get_by_role("option", name=re.compile("Olga"))).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile("search-option-contact"))
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/contacts/\d+/"))


def test_a_condition_on_the_company_round_trips_through_the_address(page, people):
    admin, _sam = people
    acme = Company.objects.create(name="Acme")
    Contact.objects.filter(email="rita@example.com").update(company=acme)
    login(page, admin.email, PASSWORD)
    page.goto("/contacts/")

    page.get_by_role("button", name="Add group").click()
    row = page.locator(".filter-row").first
    row.get_by_label("Field", exact=True).select_option(label="Company › Name")
    row.get_by_label("Condition", exact=True).select_option(label="starts with")
    row.get_by_label("Value", exact=True).fill("ac")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 contact", exact=True)).to_be_visible()

    page.reload()
    row = page.locator(".filter-row").first
    expect(row.get_by_label("Field", exact=True)).to_have_value("company.name")
    expect(row.get_by_label("Value", exact=True)).to_have_value("ac")
    expect(page.get_by_role("link", name="Rita")).to_be_visible()


def test_sorting_by_a_header_is_kept_when_the_filter_is_applied(page, people):
    admin, _sam = people
    login(page, admin.email, PASSWORD)
    page.goto("/contacts/")

    page.get_by_role("columnheader", name="Email").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Email ▲")).to_have_attribute(
        "aria-sort", "ascending")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("columnheader", name="Email ▲")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("olga@example.com")
