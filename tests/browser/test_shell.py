"""The sign-in page, the app shell on wide and narrow screens, and the language switch."""

import re

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def member(transactional_db):
    return create_user(email="mia@example.com", password=PASSWORD, first_name="Mia")


def test_login_page_is_accessible(page):
    page.goto("/accounts/login/")

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_signing_in_with_a_real_user_shows_the_home_page(page, member):
    login(page, member.email, PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mia")
    assert_accessible(page)


def test_shell_on_a_wide_screen_shows_navigation_and_user_menu(page, member):
    login(page, member.email, PASSWORD)

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Contacts")).to_be_visible()
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    page.locator(".user-menu summary").click()
    expect(page.get_by_role("link", name="Profile & security")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Profile & security")).to_be_hidden()


def test_signing_out_from_the_user_menu(page, member):
    login(page, member.email, PASSWORD)

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_shell_on_a_phone_folds_navigation_behind_a_keyboard_usable_toggle(page, member):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, member.email, PASSWORD)
    toggle = page.locator("[data-nav-toggle]")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    assert_accessible(page)

    toggle.focus()
    page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    assert_accessible(page)
    home_link = nav.get_by_role("link", name="Home")
    home_link.focus()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Contacts")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    assert_accessible(page)


def test_escape_folds_the_phone_navigation_and_returns_to_the_toggle(page, member):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, member.email, PASSWORD)
    toggle = page.locator("[data-nav-toggle]")
    toggle.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").focus()

    page.keyboard.press("Escape")

    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(toggle).to_be_focused()


def test_section_page_is_an_accessible_empty_state(page, member):
    login(page, member.email, PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()

    expect(page.locator(".empty-state")).to_contain_text("Dashboards, a report builder")
    assert_accessible(page)
    page.get_by_role("link", name="Back to home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mia")


def test_language_switch_to_chinese_and_back(page):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="简体中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # Django ships this label's translation, so it changes before Clarion's own catalogue.
    expect(page.locator("label[for=id_password]")).to_contain_text("密码")
    expect(page.get_by_role("button", name="简体中文")).to_have_attribute("aria-current", "true")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=id_password]")).to_contain_text("Password")


def test_not_found_page_is_accessible(page):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    assert_accessible(page)


def test_shared_admin_fixture_signs_in_against_the_live_server(page, admin_user):
    login(page, admin_user.email, PASSWORD)
    page.locator(".user-menu summary").click()

    page.get_by_role("link", name="Design system").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Design system")


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, member):
    login(page, member.email, PASSWORD)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("#main")).to_be_focused()


def test_user_menu_opens_with_the_keyboard_and_escape_closes_it(page, member):
    login(page, member.email, PASSWORD)
    summary = page.locator(".user-menu summary")

    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Profile & security")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Profile & security")).to_be_focused()
    page.keyboard.press("Escape")

    expect(page.get_by_role("link", name="Profile & security")).to_be_hidden()
    expect(summary).to_be_focused()


def test_language_switch_in_the_shell_stays_on_the_same_page(page, member):
    login(page, member.email, PASSWORD)
    page.goto("/s/email/")

    page.get_by_role("button", name="简体中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/s/email/$"))
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_page_content_starts_right_below_the_header_on_a_phone(page, member):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, member.email, PASSWORD)

    header = page.locator(".app-header").bounding_box()
    main = page.locator("#main").bounding_box()

    assert main["y"] <= header["y"] + header["height"] + 1


def test_navigation_icons_are_drawn_from_the_bundled_sprite(page, member):
    login(page, member.email, PASSWORD)
    icon = page.get_by_role("navigation", name="Main").locator("svg.icon use").first

    href = icon.get_attribute("href")
    response = page.request.get(href.split("#")[0])

    assert response.ok and f'id="{href.split("#")[1]}"' in response.text()
