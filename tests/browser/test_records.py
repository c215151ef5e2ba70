"""Working with records in a real browser: create a contact, put it in a company, open a deal
for it — every page checked with axe."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Company, Contact, Deal
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
def sales_pipeline(transactional_db):
    """The pipeline the migrations ship; earlier transactional tests may have flushed it."""
    from clarion.crm.models import Pipeline

    pipeline, created = Pipeline.objects.get_or_create(name="Sales pipeline",
                                                       defaults={"is_default": True})
    if created:
        pipeline.stages.create(name="Qualified to buy", position=0, probability=40)
    return pipeline


def test_create_a_contact_add_it_to_a_company_and_open_a_deal(page, admin, sales_pipeline):
    create_record(Company, actor=admin, values={"name": "Globex", "owner": admin})
    login(page, admin.email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    assert_accessible(page)
    page.get_by_role("link", name="New contact").click()
    page.get_by_label("First name").fill("王")
    page.get_by_label("Last name").fill("芳")
    page.get_by_label("Email").fill("wang.fang@example.com")
    page.get_by_label("Job title").fill("CTO")
    assert_accessible(page)
    page.get_by_role("button", name="Create contact").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("芳王")
    expect(page.locator(".timeline")).to_contain_text("Ada created this contact")
    assert_accessible(page)

    page.get_by_label("Choose a company to add").select_option(label="Globex")
    page.get_by_role("button", name="Add company").click()
    expect(page.locator("#assoc-company-title + ul")).to_contain_text("Globex")
    expect(page.locator(".timeline")).to_contain_text("Ada changed Company from — to Globex")
    contact = Contact.objects.get()
    assert contact.company.name == "Globex"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").click()
    page.get_by_role("link", name="New deal").click()
    page.locator("#id_name").fill("Globex pilot")
    page.get_by_label("Amount").fill("12000")
    page.get_by_label("Company").select_option(label="Globex")
    page.locator("#id_contacts").select_option(label=str(contact))
    assert_accessible(page)
    page.get_by_role("button", name="Create deal").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Globex pilot")
    expect(page.locator("#assoc-contact-title + ul")).to_contain_text(str(contact))
    assert_accessible(page)
    deal = Deal.objects.get()
    assert list(deal.contacts.all()) == [contact] and deal.company.name == "Globex"


def test_choosing_another_pipeline_reloads_the_stage_choices(page, admin):
    from clarion.crm.models import Pipeline

    partnerships = Pipeline.objects.create(name="Partnerships", position=1)
    partnerships.stages.create(name="Introduction", position=0)
    login(page, admin.email, PASSWORD)

    page.goto("/deals/new/")
    page.get_by_label("Pipeline").select_option(label="Partnerships")

    expect(page.get_by_label("Stage").locator("option")).to_have_text(["Introduction"])


def test_the_timeline_filters_by_kind_and_loads_older_entries_in_place(page, admin,
                                                                      monkeypatch):
    from clarion.crm.services import update_record

    monkeypatch.setattr("clarion.crm.timeline.PAGE_SIZE", 3)
    contact = create_record(Contact, actor=admin, values={"email": "li.wei@example.com",
                                                          "owner": admin})
    for number in range(4):
        contact = update_record(contact, actor=admin, values={"city": f"City {number}"})
    login(page, admin.email, PASSWORD)
    page.goto(contact.get_absolute_url())
    entries = page.locator(".timeline-entry")
    expect(entries).to_have_count(3)

    page.get_by_role("link", name="Older").click()
    expect(entries).to_have_count(5)
    expect(page).to_have_url(contact.get_absolute_url())

    page.get_by_label("Show").select_option(label="Created")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Ada created this contact")
    assert_accessible(page)
