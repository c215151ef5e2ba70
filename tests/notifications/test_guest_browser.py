"""In a real browser: an admin shares one deal with a guest; the guest chooses a password
from the emailed link, sees only "Shared with me", opens that deal and no other; the bell
shows their unread count, updates live and lists the notification."""

import re
import threading

import pytest
from django.core import mail
from django.db import connections
from playwright.sync_api import Browser, Page, expect

from clarion.accounts.models import User
from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Deal
from clarion.notifications.services import notify
from tests.browser.conftest import assert_accessible, login
from tests.crm.board_fixtures import PASSWORD, default_pipeline

LIVE = 15_000

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def in_another_thread(work) -> None:
    """As a server-side change would: Playwright's event loop runs in the test's thread,
    where the Redis channel layer can't be driven synchronously."""
    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)


def new_page(chromium: Browser, base_url: str) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-US",
                                  base_url=base_url, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_guest_opens_the_shared_deal_and_nothing_else(browser, asgi_url):
    roles = ensure_default_roles()
    admin = create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                        role=roles["Admin"], is_admin=True)
    pipeline = default_pipeline()
    shared = Deal.objects.create(name="Website relaunch", pipeline=pipeline, owner=admin,
                                 stage=pipeline.stages.first())
    other = Deal.objects.create(name="Acquisition talks", pipeline=pipeline, owner=admin,
                                stage=pipeline.stages.first())

    # Ada shares the deal from its page.
    ada = new_page(browser, asgi_url)
    login(ada, admin.email, PASSWORD)
    ada.goto(shared.get_absolute_url())
    ada.get_by_text("Share with a guest").click()
    ada.get_by_label("Guest's email address").fill("gia@example.com")
    ada.get_by_role("button", name="Share", exact=True).click()
    expect(ada.get_by_text("gia@example.com can now open this deal")).to_be_visible()
    assert_accessible(ada)

    # Gia follows the link in the email and chooses a password.
    link = re.search(r"https?://\S+/accounts/password-reset/\S+", mail.outbox[-1].body)[0]
    gia = new_page(browser, asgi_url)
    gia.goto("/accounts/" + link.split("/accounts/", 1)[1])
    expect(gia.get_by_role("heading", name="Choose a new password")).to_be_visible()
    gia.locator("input[name=new_password1]").fill(PASSWORD)
    gia.locator("input[name=new_password2]").fill(PASSWORD)
    gia.get_by_role("button", name="Set password").click()
    login(gia, "gia@example.com", PASSWORD)

    # Her shell holds only what was shared with her.
    expect(gia.get_by_role("heading", name="Shared with me")).to_be_visible()
    nav = gia.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(1)
    expect(nav.get_by_role("link", name="Shared with me")).to_be_visible()
    assert_accessible(gia)

    gia.get_by_role("link", name="Website relaunch").click()
    expect(gia.get_by_role("heading", name="Website relaunch", level=1)).to_be_visible()
    expect(gia.get_by_text("Share with a guest")).to_have_count(0)
    assert_accessible(gia)

    response = gia.goto(other.get_absolute_url())
    assert response.status == 404
    expect(gia.get_by_text("Acquisition talks")).to_have_count(0)
    assert_accessible(gia)
    assert gia.goto("/deals/").status == 404

    # The bell: a mention arrives while her page is open.
    guest = User.objects.get(email="gia@example.com")
    gia.goto("/shared/")
    bell = gia.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread$"))
    expect(bell).to_have_accessible_name("Notifications, 1 unread")  # the share itself
    expect(gia.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    in_another_thread(lambda: notify(guest, "collab.mentioned", actor=admin, target=shared,
                                     title="Ada mentioned you on Website relaunch"))
    expect(bell).to_have_accessible_name("Notifications, 2 unread", timeout=LIVE)
    expect(bell.locator("[data-notification-count]")).to_have_text("2")

    bell.click()
    expect(gia.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(gia.get_by_role("button", name="Ada shared “Website relaunch” with you",
                           exact=True)).to_be_visible()
    expect(gia.get_by_role("button", name="Ada mentioned you on Website relaunch",
                           exact=True)).to_be_visible()
    assert_accessible(gia)
    gia.get_by_role("button", name="Mark all as read").click()
    expect(gia.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
    assert_accessible(gia)
