"""The delivery reports pages in a real browser, at desktop and phone widths, checked with axe."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.tracking.models import Notice
from tests.browser.conftest import assert_accessible, login
from tests.tracking.support import make_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def test_a_marketer_reads_a_bounce_and_an_unmatched_report(page, live_url):
    roles = ensure_default_roles()
    create_user(email="mia@example.com", password=PASSWORD, first_name="Mia",
                role=roles["Admin"], is_admin=True)
    Notice.objects.create(key="a", source="mailbox", kind="bounce", email="gone@example.org",
                          summary="hard 5.1.1", diagnostic="550 5.1.1 User unknown",
                          message=make_message())
    other = Notice.objects.create(key="b", source="inbound", kind="other",
                                  email="someone@example.org",
                                  raw="From: someone@example.org\nSubject: Re: news\n\n" +
                                      "A long reply. " * 300)
    login(page, "mia@example.com", PASSWORD)
    page.goto(f"{live_url}/email/delivery-reports/")
    expect(page.get_by_role("heading", name="Delivery reports")).to_be_visible()
    expect(page.get_by_role("cell", name="gone@example.org")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Kind").select_option("other")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("cell", name="gone@example.org")).to_have_count(0)
    page.locator(f"a[href='/email/delivery-reports/{other.pk}/']").click()
    expect(page.get_by_role("heading", name="Full text")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.go_back()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
