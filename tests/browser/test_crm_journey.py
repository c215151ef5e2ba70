"""Whole CRM journeys across two signed-in people: a rep builds a company, a contact and a
deal and moves the deal on the board while a colleague watches it arrive; a record only its
owner may see stays out of a colleague's list, search and direct links."""

import pytest
from playwright.sync_api import Browser, Page, expect

from clarion.accounts.models import Role
from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Company, Contact, Deal
from clarion.crm.services import create_record
from tests.browser.conftest import assert_accessible, drag, login
from tests.crm.board_fixtures import PASSWORD, default_pipeline

# Generous waits for what crosses browser contexts, sockets and processes.
LIVE = 15_000

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    # Static files reach uvicorn as synchronous streams (WhiteNoise), which Django warns about.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def signed_in(browser: Browser, base_url: str, email: str) -> Page:
    """A separate browser context (its own cookies) signed in as `email`. Reduced motion
    keeps axe from catching a toast half-faded (and so low in contrast)."""
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-US",
                                  base_url=base_url, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, email, PASSWORD)
    return page


def open_board(page: Page) -> None:
    page.goto("/deals/board/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)


def column(stage) -> str:
    return f'.board-cards[data-stage="{stage.pk}"]'


def search_header(page: Page, query: str):
    """Type into the header search and return its suggestions listbox."""
    page.get_by_role("combobox", name="Search contacts, companies and deals").fill(query)
    return page.get_by_role("listbox", name="Search results")


def test_a_rep_creates_a_contact_company_and_deal_and_a_colleague_sees_the_deal_move_live(
        browser, asgi_url):
    roles = ensure_default_roles()
    rep = create_user(email="rita@example.com", password=PASSWORD, first_name="Rita",
                      role=roles["Sales manager"])
    colleague = create_user(email="max@example.com", password=PASSWORD, first_name="Max",
                            role=roles["Sales manager"])
    stages = list(default_pipeline().stages.order_by("position"))
    mine = signed_in(browser, asgi_url, rep.email)
    theirs = signed_in(browser, asgi_url, colleague.email)

    mine.goto("/companies/new/")
    mine.get_by_label("Name").fill("Initech")
    mine.get_by_label("Domain").fill("initech.example")
    mine.get_by_role("button", name="Create company").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Initech")

    mine.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    mine.get_by_role("link", name="New contact").click()
    mine.get_by_label("First name").fill("Peter")
    mine.get_by_label("Last name").fill("Gibbons")
    mine.get_by_label("Email").fill("peter@initech.example")
    mine.get_by_label("Company").select_option(label="Initech")
    mine.get_by_role("button", name="Create contact").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Peter Gibbons")
    expect(mine.locator("#assoc-company-title + ul")).to_contain_text("Initech")
    assert_accessible(mine)
    contact = Contact.objects.get(email="peter@initech.example")
    assert contact.company == Company.objects.get(name="Initech")

    mine.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").click()
    mine.get_by_role("link", name="New deal").click()
    expect(mine.get_by_label("Pipeline")).to_have_value(str(stages[0].pipeline_id))
    mine.get_by_label("Name").fill("Initech printers")
    mine.get_by_label("Amount").fill("4800")
    mine.get_by_label("Company").select_option(label="Initech")
    mine.get_by_role("listbox", name="Contacts").select_option(label=str(contact))
    mine.get_by_role("button", name="Create deal").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Initech printers")
    expect(mine.locator("#assoc-contact-title + ul")).to_contain_text("Peter Gibbons")
    assert_accessible(mine)
    deal = Deal.objects.get(name="Initech printers")
    assert (deal.pipeline.name, deal.stage, deal.company, list(deal.contacts.all())) == (
        "Sales pipeline", stages[0], contact.company, [contact])

    open_board(theirs)
    expect(theirs.locator(f"{column(stages[0])} #deal-{deal.pk}")).to_be_visible()
    open_board(mine)
    assert_accessible(mine)
    drag(mine, f"#deal-{deal.pk}", column(stages[2]))

    expect(mine.locator(f"{column(stages[2])} #deal-{deal.pk}")).to_be_visible()
    expect(theirs.locator(f"{column(stages[2])} #deal-{deal.pk}")).to_be_visible(timeout=LIVE)
    expect(theirs.locator(f"{column(stages[0])} #deal-{deal.pk}")).to_have_count(0)
    assert Deal.objects.get(pk=deal.pk).stage == stages[2]
    mine.context.close()
    theirs.context.close()


def test_a_private_record_stays_private_across_users(browser, live_url):
    own_only = Role.objects.create(name="Own contacts only",
                                   capabilities=["contacts.view_own", "contacts.edit_own"])
    author = create_user(email="ann@example.com", password=PASSWORD, first_name="Ann",
                         role=own_only)
    other = create_user(email="ben@example.com", password=PASSWORD, first_name="Ben",
                        role=own_only)
    create_record(Contact, actor=other, values={"first_name": "Bea", "last_name": "Visible",
                                                "email": "bea@example.com", "owner": other})
    mine = signed_in(browser, live_url, author.email)
    theirs = signed_in(browser, live_url, other.email)

    mine.goto("/contacts/new/")
    mine.get_by_label("First name").fill("Quiet")
    mine.get_by_label("Last name").fill("Lead")
    mine.get_by_label("Email").fill("quiet.lead@example.com")
    mine.get_by_role("button", name="Create contact").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Quiet Lead")
    secret = Contact.objects.get(email="quiet.lead@example.com")
    assert secret.owner == author

    theirs.goto("/contacts/")
    expect(theirs.get_by_role("link", name="Bea Visible")).to_be_visible()
    expect(theirs.get_by_role("link", name="Quiet Lead")).to_have_count(0)
    expect(theirs.get_by_role("main")).not_to_contain_text("quiet.lead@example.com")

    results = search_header(theirs, "quiet.lead@example.com")
    expect(results.get_by_role("option")).to_have_text(
        ["No matches for “quiet.lead@example.com” — search again"])

    response = theirs.goto(secret.get_absolute_url())
    assert response.status == 404
    expect(theirs.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    expect(theirs.locator("body")).not_to_contain_text("Quiet Lead")

    results = search_header(mine, "quiet.lead@example.com")
    expect(results.get_by_role("option", name="Quiet Lead")).to_be_visible()
    mine.goto(secret.get_absolute_url())
    expect(mine.get_by_role("heading", level=1)).to_have_text("Quiet Lead")
    mine.goto("/contacts/")
    expect(mine.get_by_role("link", name="Quiet Lead")).to_be_visible()
    mine.context.close()
    theirs.context.close()
