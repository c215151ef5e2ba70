"""In a real browser, checked with axe: the activity feed with its filters, the notification
preferences and the audit log, at desktop and phone widths."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.guests import share_with_guest
from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Company
from clarion.crm.services import create_record
from tests.browser.conftest import assert_accessible, login
from tests.crm.board_fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_activity_preferences_and_audit_log_pages(page, live_url):
    roles = ensure_default_roles()
    admin = create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                        role=roles["Admin"], is_admin=True)
    company = create_record(Company, actor=admin, values={"name": "Acme Studio"})
    share_with_guest(actor=admin, target=company, email="gia@example.com")
    login(page, admin.email, PASSWORD)

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/activity/")
        expect(page.get_by_role("heading", name="Activity feed")).to_be_visible()
        expect(page.get_by_text("Ada shared this with the guest gia@example.com")).to_be_visible()
        expect(page.get_by_role("link", name="Acme Studio").first).to_be_visible()
        assert_accessible(page)

    page.goto("/notifications/")
    expect(page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
    page.screenshot(path="/tmp/notify_390.png")
    assert_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/activity/")
    page.get_by_label("What").select_option("won")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("heading", name="No activity in this period")).to_be_visible()
    assert_accessible(page)

    page.goto("/settings/notifications/")
    expect(page.get_by_role("heading", name="Notification preferences")).to_be_visible()
    assert_accessible(page)

    page.goto("/settings/audit-log/")
    expect(page.get_by_role("cell", name="Access shared")).to_be_visible()
    assert_accessible(page)
