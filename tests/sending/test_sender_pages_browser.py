"""Sender settings in a real browser, by keyboard-friendly labels: add a sender, generate its
DKIM key, read the DNS record to publish; accessible throughout (axe)."""

import pytest
from playwright.sync_api import expect

from clarion.sending.models import SenderIdentity
from tests.browser.conftest import assert_accessible, browser, live_url, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_a_sender_and_generates_its_dkim_key(page, admin_user):  # noqa: F811
    login(page, "admin@example.com", "correct horse battery")
    page.goto("/settings/senders/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a sender").click()
    page.locator("#id_name").fill("Newsletter")
    page.locator("#id_from_name").fill("Acme News")
    page.get_by_label("From address", exact=False).fill("news@acme.example")
    page.get_by_label("Postal address", exact=False).fill("1 Main Street, Springfield")
    assert_accessible(page)
    page.get_by_role("button", name="Add sender").click()

    page.get_by_role("button", name="Generate a DKIM key").click()
    expect(page.get_by_text("clarion1._domainkey.acme.example")).to_be_visible()
    assert_accessible(page)
    sender = SenderIdentity.objects.get()
    assert sender.is_default and sender.dkim_private_key
    assert "PRIVATE KEY" not in page.content()
    page.set_viewport_size({"width": 390, "height": 800})
    assert_accessible(page)
