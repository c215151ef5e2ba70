"""Turning off someone's two-factor authentication in a real browser: confirmed in a dialog,
accessible throughout."""

import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import current_code
from tests.browser.conftest import assert_accessible, browser, live_url, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_turns_off_someones_two_factor_after_confirming(page, admin_user,  # noqa: F811
                                                                 totp_user):
    login(page, "admin@example.com", "correct horse battery")

    page.goto(f"/settings/users/{totp_user.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="Turn off two-factor authentication").click()
    page.get_by_role("dialog").get_by_role("button", name="Turn off", exact=True).click()

    expect(page.get_by_text("Two-factor authentication is off for Sam.")).to_be_visible()
    totp_user.refresh_from_db()
    assert not totp_user.totp_enabled


def test_making_new_recovery_codes_asks_for_the_password(page, totp_user):  # noqa: F811
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("sam@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill(current_code(totp_user))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.locator(".app-header")).to_be_visible()

    page.goto("/settings/security/")
    form = page.locator("form[action$='/recovery-codes/']")
    form.get_by_label("Your password").fill("correct horse battery")
    form.get_by_role("button", name="Make new recovery codes").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert_accessible(page)

