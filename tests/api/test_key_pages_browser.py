"""The API key pages in a real browser: create, copy once, revoke; accessible throughout."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.models import APIKey
from tests.browser.conftest import assert_accessible, browser, live_url, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_copies_and_revokes_a_key(page, admin_user):  # noqa: F811
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, "admin@example.com", "correct horse battery")

    page.goto("/settings/api-keys/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Website sync")
    page.get_by_label("Read contacts").check()
    page.get_by_role("button", name="Create key").click()

    secret = page.get_by_label("Your new API key").input_value()
    assert secret.startswith("clk_")
    assert_accessible(page)
    page.get_by_role("button", name="Copy key").click()
    expect(page.locator("#copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("cell", name="Website sync clk_")).to_be_visible()
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Website sync").click()
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_text("Revoked", exact=False).first).to_be_visible()
    assert APIKey.objects.get().revoked_at is not None
