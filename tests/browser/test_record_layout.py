"""A contact's page laid out for a wide screen and for a phone: fields, linked records and the
timeline all readable, nothing scrolling sideways, and axe finding no WCAG A/AA problem."""

import pytest
from playwright.sync_api import Page, expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Company, Contact, Deal, Pipeline
from clarion.crm.services import create_record, update_record
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def contact(transactional_db) -> Contact:
    """A contact the way the demo workspace has them: a company, a deal and some history,
    with long values that would push a narrow page sideways if they could."""
    roles = ensure_default_roles()
    admin = create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                        last_name="Admin", role=roles["Admin"], is_admin=True)
    pipeline, created = Pipeline.objects.get_or_create(name="Sales pipeline",
                                                       defaults={"is_default": True})
    if created:
        pipeline.stages.create(name="Qualified to buy", position=0, probability=40)
    company = create_record(Company, actor=admin, values={
        "name": "Northwind International Logistics and Freight Forwarding Holdings",
        "domain": "northwind-international-logistics.example.com", "owner": admin})
    contact = create_record(Contact, actor=admin, values={
        "first_name": "Maximiliane", "last_name": "Schwarzenberger-Oppenheimer",
        "email": "maximiliane.schwarzenberger-oppenheimer@northwind-international.example.com",
        "job_title": "Head of procurement", "company": company, "owner": admin})
    contact = update_record(contact, actor=admin, values={"job_title": "Chief procurement officer"})
    deal = create_record(Deal, actor=admin, values={
        "name": "Northwind fleet renewal", "pipeline": pipeline,
        "stage": pipeline.stages.order_by("position").first(), "owner": admin})
    deal.contacts.add(contact)
    return contact


def _open(page: Page, contact: Contact) -> None:
    login(page, "ada@example.com", PASSWORD)
    page.goto(f"/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(str(contact))


def _assert_record_readable(page: Page) -> None:
    expect(page.locator(".record-fields").first).to_be_visible()
    expect(page.locator(".record-fields").first).to_contain_text("Chief procurement officer")
    expect(page.locator(".timeline-entries")).to_be_visible()
    expect(page.locator(".timeline-entry").first).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("created this contact")


def test_on_a_wide_screen_the_fields_sit_beside_the_timeline(page, contact):
    _open(page, contact)

    _assert_record_readable(page)
    fields = page.locator(".record-layout > .record-side").bounding_box()
    timeline = page.locator(".record-layout > .record-main").bounding_box()
    assert fields and timeline
    assert fields["x"] + fields["width"] <= timeline["x"], "the timeline is not beside the fields"
    assert timeline["width"] > fields["width"], "the timeline should be the wider column"
    assert_accessible(page)


def test_on_a_phone_everything_stacks_in_one_column_without_sideways_scrolling(page, contact):
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, contact)

    _assert_record_readable(page)
    fields = page.locator(".record-layout > .record-side").bounding_box()
    timeline = page.locator(".record-layout > .record-main").bounding_box()
    assert fields and timeline
    assert timeline["y"] >= fields["y"] + fields["height"], "the timeline should come after"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
