"""Two people chat in a real browser: one posts in the team channel mentioning the other, who
sees it arrive without reloading, sees the unread marker for a message that arrived while
elsewhere, and replies; the first sees the reply live. Websockets need the ASGI server
(`asgi_url`)."""

import threading

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from clarion.chat import services
from clarion.chat.models import Message
from tests.browser.conftest import assert_accessible, login
from tests.chat.factories import PASSWORD, deal_owned_by, person, team

LIVE = 15_000

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def open_chat(browser: Browser, base_url: str, email: str, width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US",
                                  base_url=base_url, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, email, PASSWORD)
    page.get_by_role("link", name="Chat").first.click()
    expect(page.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    return page


def send(page: Page, text: str) -> None:
    composer = page.get_by_label("Message", exact=True)
    composer.fill(text)
    composer.press("Enter")
    expect(composer).to_have_value("")


def test_a_mention_arrives_live_and_the_reply_comes_back(browser, asgi_url, roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    person(roles, "cy@example.com", "Cy", "Sales", [sales])

    mine = open_chat(browser, asgi_url, ada.email)
    theirs = open_chat(browser, asgi_url, bob.email)
    expect(mine.locator("h1")).to_contain_text("Sales")
    assert_accessible(mine)

    # Bob has the channel open: Ada's message, with a mention picked from the autocomplete,
    # appears without a reload.
    composer = mine.get_by_label("Message", exact=True)
    composer.press_sequentially("Morning @Bo")
    expect(mine.get_by_role("option", name="Bob")).to_be_visible()
    composer.press("Enter")  # picks Bob, does not send
    expect(composer).to_have_value(f"Morning @[Bob](user:{bob.pk}) ")
    composer.press_sequentially("the Acme deal needs a quote")
    composer.press("Enter")
    expect(composer).to_have_value("")
    incoming = theirs.locator(".chat-message", has_text="the Acme deal needs a quote")
    expect(incoming).to_be_visible(timeout=LIVE)
    expect(incoming.locator(".mention")).to_have_text("@Bob")
    expect(theirs.locator("[data-chat-announcer]")).to_contain_text("New message from Ada")

    # Bob is elsewhere (a direct message with Cy): the channel shows an unread count live.
    theirs.goto("/chat/direct/new/")
    theirs.get_by_label("People").select_option(label="Cy (cy@example.com)")
    theirs.get_by_role("button", name="Open conversation").click()
    expect(theirs.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    assert_accessible(theirs)
    send(mine, f"@[Bob](user:{bob.pk}) can you send it today?")
    channel_link = theirs.get_by_role("link", name="Sales")
    expect(channel_link.locator("[data-unread]")).to_contain_text("1", timeout=LIVE)

    channel_link.click()
    expect(theirs.locator("[data-chat-divider]")).to_contain_text("New messages")
    expect(theirs.locator("[data-chat-divider] + .chat-message")).to_contain_text(
        "can you send it today?")
    expect(theirs.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    assert_accessible(theirs)

    send(theirs, "Sending it before noon")
    expect(mine.locator(".chat-message", has_text="Sending it before noon")).to_be_visible(
        timeout=LIVE)
    assert Message.objects.filter(author=bob).count() == 1


def test_chat_is_usable_at_phone_width(browser, asgi_url, roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    page = open_chat(browser, asgi_url, ada.email, width=390)
    sidebar = page.locator("[data-chat-sidebar-toggle]")
    expect(sidebar).not_to_have_attribute("open", "")
    send(page, "Hello from my phone")
    expect(page.locator(".chat-message", has_text="Hello from my phone")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A direct message elsewhere: the folded sidebar's button counts it, live.
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    def bob_writes():  # as a request would: in its own thread, not Playwright's event loop
        try:
            direct = services.open_direct(actor=bob, others=[ada])
            services.post_message(actor=bob, conversation=direct, body="Lunch?")
        finally:
            connection.close()

    writer = threading.Thread(target=bob_writes)
    writer.start()
    writer.join()
    expect(page.locator("[data-chat-unread-total]")).to_have_text("1 unread", timeout=LIVE)
    page.locator("summary", has_text="Conversations").click()
    expect(page.get_by_role("link", name="Bob")).to_contain_text("1")
    expect(page.get_by_role("link", name="Sales")).to_be_visible()
    assert_accessible(page)


def test_a_record_discussion_edit_and_delete_work_live(browser, asgi_url, roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales manager", [sales])
    deal = deal_owned_by(ada, "Acme renewal")

    mine = open_chat(browser, asgi_url, ada.email)
    mine.goto(f"/deals/{deal.pk}/")
    panel = mine.locator("#discussion")
    panel.get_by_label("Add to the discussion").fill(f"Legal wants net 30 on #deal:{deal.pk}")
    with mine.expect_navigation():
        panel.get_by_role("button", name="Send").click()  # the first message starts it
    expect(panel.locator(".chat-record-card")).to_contain_text("Acme renewal")

    theirs = open_chat(browser, asgi_url, bob.email)
    theirs.goto(f"/deals/{deal.pk}/")
    expect(theirs.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    expect(theirs.locator("#discussion")).to_contain_text("Legal wants net 30")
    assert_accessible(theirs)

    expect(mine.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    panel.get_by_label("Add to the discussion").fill("Agreed, sending today")
    panel.get_by_label("Add to the discussion").press("Enter")
    expect(theirs.locator("#discussion")).to_contain_text("Agreed, sending today",
                                                          timeout=LIVE)

    message = panel.locator(".chat-message", has_text="Agreed, sending today")
    message.get_by_role("link", name="Edit").click()
    editor = mine.get_by_label("Edit your message")
    expect(editor).to_be_focused()
    editor.fill("Agreed, sending tomorrow")
    editor.press("Enter")
    expect(theirs.locator("#discussion")).to_contain_text("Agreed, sending tomorrow",
                                                          timeout=LIVE)
    expect(theirs.locator("#discussion")).to_contain_text("(edited)")

    mine.once("dialog", lambda dialog: dialog.accept())
    panel.locator(".chat-message", has_text="sending tomorrow").get_by_role(
        "button", name="Delete").click()
    expect(theirs.locator("#discussion")).to_contain_text("This message was deleted.",
                                                          timeout=LIVE)
    expect(theirs.locator("#discussion")).not_to_contain_text("sending tomorrow")
