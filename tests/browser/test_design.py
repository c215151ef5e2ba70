"""The design-system page in a real browser: components work and meet WCAG 2 AA."""

import re

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def staff_page(page, transactional_db):
    user = create_user(email="sol@example.com", password=PASSWORD, first_name="Sol",
                       is_admin=True)
    login(page, user.email, PASSWORD)
    page.goto("/design/")
    return page


def test_design_page_is_accessible(staff_page):
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Design system")

    assert_accessible(staff_page)


def test_every_documented_colour_pair_meets_its_contrast_minimum(staff_page):
    ratios = staff_page.locator("[data-contrast-fg]")
    expect(ratios.first).to_have_attribute("data-ratio", re.compile(r"^\d+\.\d\d$"))

    pairs = ratios.evaluate_all(
        "els => els.map(el => [el.dataset.contrastFg, el.dataset.contrastBg,"
        " Number(el.dataset.ratio), Number(el.dataset.contrastMinimum)])"
    )

    assert len(pairs) >= 10
    assert [pair for pair in pairs if pair[2] < pair[3]] == []


def test_modal_opens_closes_on_escape_and_returns_focus(staff_page):
    opener = staff_page.get_by_role("button", name="Open the example modal")
    dialog = staff_page.get_by_role("dialog", name="Delete this contact?")

    opener.click()
    expect(dialog).to_be_visible()
    assert_accessible(staff_page)
    staff_page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_modal_close_button_closes_it(staff_page):
    staff_page.get_by_role("button", name="Open the example modal").click()
    dialog = staff_page.get_by_role("dialog", name="Delete this contact?")

    dialog.get_by_role("button", name="Cancel").click()

    expect(dialog).to_be_hidden()


def test_toast_appears_in_the_live_region_and_can_be_dismissed(staff_page):
    staff_page.get_by_role("button", name="Show an error toast").click()

    toast = staff_page.locator("#toasts .toast-error")
    expect(toast).to_contain_text("The import could not start.")
    expect(staff_page.locator("#toasts")).to_have_attribute("aria-live", "polite")
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)


def test_design_page_on_a_phone_is_accessible_and_does_not_scroll_sideways(staff_page):
    staff_page.set_viewport_size({"width": 390, "height": 844})

    assert_accessible(staff_page)
    widths = staff_page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]


def test_a_wide_table_scrolls_inside_its_wrap_and_takes_keyboard_focus(staff_page):
    staff_page.set_viewport_size({"width": 390, "height": 844})
    wrap = staff_page.locator("#tables .table-wrap")

    wrap.focus()
    staff_page.keyboard.press("ArrowRight")

    expect(wrap).to_be_focused()
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth && el.scrollLeft > 0")


def test_notices_leave_by_themselves(staff_page):
    staff_page.locator("#toasts").evaluate("region => region.dataset.dismissAfter = '200'")

    staff_page.get_by_role("button", name="Show a success toast").click()

    toast = staff_page.locator("#toasts .toast-success")
    expect(toast).to_contain_text("Contact saved.")
    expect(toast).to_have_count(0)


def test_a_table_wrap_without_tabindex_becomes_focusable_when_it_overflows(staff_page):
    staff_page.set_viewport_size({"width": 390, "height": 844})
    staff_page.evaluate("""() => {
        const wrap = document.createElement("div");
        wrap.className = "table-wrap";
        wrap.id = "added-wrap";
        wrap.innerHTML = '<table class="table"><caption>Wide</caption><tr>'
            + '<td>a-long-unbreakable-cell-value-that-is-wider-than-a-phone</td>'.repeat(3)
            + '</tr></table>';
        document.getElementById("main").append(wrap);
        window.dispatchEvent(new Event("resize"));
    }""")

    wrap = staff_page.locator("#added-wrap")
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("role", "region")
    expect(wrap).to_have_attribute("aria-label", "Wide")
