"""The segment builder in a real browser: a nested behavioural segment built with the mouse,
another built with the keyboard alone at phone width, the live count following each change,
and the saved segments showing the right members; every page checked with axe."""

import re

import pytest
from playwright.sync_api import Page, expect

from clarion.crm.models import Company
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment
from tests.browser.conftest import assert_accessible, browser, live_url, login, page  # noqa: F401
from tests.segments.support import did, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"
PRICING = "https://example.org/pricing"


@pytest.fixture
def visitors(marketer):
    """Pia: a lead at a tech company who looked at pricing three times this week; Paul: a
    lead who looked once; Cara: a customer who looked four times."""
    tech = Company.objects.create(name="Techno", industry="Software")
    pia = make_contact(first_name="Pia", lifecycle_stage="lead", company=tech, owner=marketer)
    paul = make_contact(first_name="Paul", lifecycle_stage="lead", owner=marketer)
    cara = make_contact(first_name="Cara", lifecycle_stage="customer", owner=marketer)
    for contact, visits in ((pia, 3), (paul, 1), (cara, 4)):
        for day in range(visits):
            did(contact, url=PRICING, days_ago=day + 1)
    return pia, paul, cara


def tab_to(page: Page, target) -> None:  # noqa: F811
    """Press Tab until `target` has the focus (fails if it is not reachable)."""
    for _ in range(60):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail("not reachable with the Tab key")


def expect_count(page: Page, text: str) -> None:  # noqa: F811
    expect(page.locator("[data-live-count] .segment-count")).to_have_text(text)


def test_a_nested_behavioural_segment_built_with_the_mouse(page, marketer, visitors):  # noqa: F811
    login(page, marketer.email, PASSWORD)
    page.goto("/segments/")
    assert_accessible(page)
    page.get_by_role("link", name="New segment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New segment")
    expect_count(page, "3 contacts match")
    assert_accessible(page)
    page.get_by_label("Name").fill("Pricing leads")

    page.get_by_role("button", name="Add condition").click()
    lead = page.locator(".filter-root > .filter-children > .filter-row").first
    lead.get_by_label("Field", exact=True).select_option(label="Lifecycle stage")
    lead.get_by_label("Value", exact=True).select_option(label="Lead")
    expect_count(page, "2 contacts match")

    page.locator(".filter-root > .filter-buttons").get_by_role(
        "button", name="Add group").click()
    group = page.locator(".filter-group").first
    group.locator("legend").get_by_label("Match").select_option(label="any")
    behaviour = group.locator(".filter-row").first
    behaviour.get_by_label("Field", exact=True).select_option(label="Behaviour (an event)")
    behaviour.get_by_label("Event", exact=True).select_option("page.viewed")
    behaviour.get_by_label("How often").select_option(label="at least")
    behaviour.get_by_label("Times", exact=True).fill("3")
    behaviour.get_by_label("When").select_option(label="in the last … days")
    behaviour.get_by_label("Days").fill("30")
    behaviour.get_by_role("button", name="Add data condition").click()
    behaviour.get_by_label("Event data field").fill("url")
    behaviour.get_by_label("Data condition", exact=True).select_option(label="contains")
    behaviour.get_by_label("Data value").fill("/pricing")
    expect_count(page, "1 contact matches")
    expect(page.locator(".segment-preview")).to_contain_text("Pia")

    # A condition with a bad value names itself next to the row, then is fixed.
    behaviour.get_by_label("Days").fill("0")
    expect(behaviour.locator("xpath=following-sibling::p[@class='filter-error']")).to_contain_text(
        "within_days")
    assert_accessible(page)
    behaviour.get_by_label("Days").fill("30")
    expect(page.locator(".filter-error")).to_have_count(0)
    expect_count(page, "1 contact matches")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pricing leads")
    expect(page.get_by_role("link", name="Pia")).to_be_visible()
    expect(page.get_by_role("link", name="Paul")).to_have_count(0)
    expect(page.get_by_role("link", name="Cara")).to_have_count(0)
    assert_accessible(page)
    segment = Segment.objects.get(name="Pricing leads")
    assert segment.definition["all"][1]["any"][0]["count"] == {"gte": 3}

    # Editing reopens the builder on the saved conditions.
    page.get_by_role("link", name="Edit").click()
    behaviour = page.locator(".filter-group .filter-row").first
    expect(behaviour.get_by_label("Times", exact=True)).to_have_value("3")
    expect(behaviour.get_by_label("Days")).to_have_value("30")
    expect(behaviour.get_by_label("Data value")).to_have_value("/pricing")
    expect_count(page, "1 contact matches")


def test_a_segment_built_with_the_keyboard_alone_at_phone_width(page, marketer, visitors):  # noqa: F811
    pia, paul, _cara = visitors
    vip = create_segment(actor=marketer, name="VIP", kind="static")
    add_members(vip, [pia, paul], actor=marketer)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, marketer.email, PASSWORD)
    page.goto("/segments/new/")
    expect_count(page, "3 contacts match")
    name = page.get_by_label("Name")
    tab_to(page, name)
    page.keyboard.type("VIP without pricing visits")

    # Members of the VIP list …
    tab_to(page, page.locator(".filter-root > .filter-buttons").get_by_role(
        "button", name="Add condition"))
    page.keyboard.press("Enter")
    member = page.locator(".filter-root > .filter-children > .filter-row").first
    expect(member.get_by_label("Field", exact=True)).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("ArrowUp")  # "Member of a segment or list"
    tab_to(page, member.get_by_label("Segment or list"))
    page.keyboard.press("ArrowDown")
    expect_count(page, "2 contacts match")

    # … in a group: who did not view pages at least 3 times in the last 30 days.
    tab_to(page, page.locator(".filter-root > .filter-buttons").get_by_role(
        "button", name="Add group"))
    page.keyboard.press("Enter")
    row = page.locator(".filter-group .filter-row").first
    expect(row.get_by_label("Field", exact=True)).to_be_focused()
    page.keyboard.press("End")  # "Behaviour (an event)"
    tab_to(page, row.get_by_label("Did or did not"))
    page.keyboard.press("ArrowDown")  # "did not do"
    tab_to(page, row.get_by_label("Event", exact=True))
    page.keyboard.type("Viewed")
    tab_to(page, row.get_by_label("How often"))
    page.keyboard.press("ArrowDown")  # "at least"
    tab_to(page, row.get_by_label("Times", exact=True))
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    tab_to(page, row.get_by_label("When"))
    page.keyboard.press("ArrowDown")  # "in the last … days" (30)
    expect_count(page, "1 contact matches")  # Pia looked 3 times, Paul once
    expect(page.locator(".segment-preview")).to_contain_text("Paul")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("VIP without pricing visits")
    expect(page.get_by_role("link", name="Paul")).to_be_visible()
    expect(page.get_by_role("link", name="Pia")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_add_to_list_from_the_contact_list_and_filter_by_the_list(page, marketer, visitors):  # noqa: F811
    pia, paul, cara = visitors
    create_segment(actor=marketer, name="Newsletter", kind="static")
    login(page, marketer.email, PASSWORD)
    page.goto("/contacts/")
    expect(page.get_by_text("3 contacts")).to_be_visible()
    page.get_by_label("Select Pia").check()
    page.get_by_label("Select Cara").check()
    page.get_by_role("button", name="Add to list").first.click()
    dialog = page.get_by_role("dialog", name="Add the selected contacts to a list")
    expect(dialog.locator("[data-selection-count]")).to_have_text("2")
    dialog.get_by_label("Existing list").select_option(label="Newsletter")
    assert_accessible(page)
    dialog.get_by_role("button", name="Add to list").click()
    expect(page.get_by_text("2 contacts added to “Newsletter”.")).to_be_visible()
    newsletter = Segment.objects.get(name="Newsletter")
    assert set(newsletter.memberships.values_list("contact_id", flat=True)) == {pia.pk, cara.pk}

    page.get_by_role("button", name="Add group").click()
    row = page.locator(".filter-row").first
    row.get_by_label("Field", exact=True).select_option(label="Member of a segment or list")
    row.get_by_label("Segment or list").select_option(label="Newsletter")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("2 contacts", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Paul")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Pia").click()
    panel = page.get_by_role("region", name="Segments and lists")
    expect(panel.get_by_role("link", name="Newsletter")).to_be_visible()
    assert_accessible(page)
    panel.get_by_role("link", name="Newsletter").click()
    expect(page).to_have_url(re.compile(rf"/segments/{newsletter.pk}/$"))
    assert_accessible(page)
    page.get_by_label("Select Cara").check()
    page.get_by_role("button", name="Remove selected from the list").click()
    expect(page.get_by_text("1 contact removed.")).to_be_visible()
    page.get_by_label("Add contacts: search by name, email or company").fill("pau")
    page.get_by_role("button", name="Add Paul").click()
    expect(page.get_by_text("1 contact added.")).to_be_visible()
    assert set(newsletter.memberships.values_list("contact_id", flat=True)) == {pia.pk, paul.pk}
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete “Newsletter”?")
    assert_accessible(page)
    dialog.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/segments/$"))
    assert not Segment.objects.filter(pk=newsletter.pk).exists()
