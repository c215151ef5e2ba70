"""Turning on two-factor authentication in the browser, then signing in with password + code."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from clarion.accounts import two_factor
from clarion.accounts.services import create_user
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def member(transactional_db):
    return create_user(email="mia@example.com", password=PASSWORD, first_name="Mia")


def code_for(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).generate_otp(two_factor.current_step() + steps_ahead)


def test_turning_on_two_factor_then_signing_in_with_a_code(page, member):
    login(page, member.email, PASSWORD)
    page.goto("/settings/security/")
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)

    page.goto("/")
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.locator("input[name=username]").fill(member.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    assert_accessible(page)

    # The code used to turn 2FA on can't be replayed: use the next step's (drift allowed).
    page.get_by_label("Authentication code").fill(code_for(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.locator(".app-header")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/accounts/login"))
