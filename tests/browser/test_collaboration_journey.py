"""Two people working together in two browsers: Ada assigns Bob a task on a contact and
mentions him in a comment and in their team's channel; Bob, with chat open, sees the message
arrive and his notification count rise without reloading, reads his notifications and
completes the task. Websockets need the ASGI server (`asgi_url`)."""

import re

import pytest
from playwright.sync_api import expect

from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.tasks.models import Task
from tests.browser.conftest import assert_accessible, login
from tests.chat.factories import PASSWORD, person, team
from tests.chat.test_chat_browser import LIVE, open_chat, send

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def bell(page, unread: int):
    return page.get_by_role("link", name=re.compile(rf"^Notifications, {unread} unread"))


def test_a_task_a_mention_and_a_chat_message_reach_a_teammate_live(browser, asgi_url, roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    contact = create_record(Contact, actor=ada, values={
        "first_name": "Wei", "last_name": "Zhang", "email": "wei@example.com", "owner": ada})

    theirs = open_chat(browser, asgi_url, bob.email)
    expect(bell(theirs, 0)).to_be_visible()
    context = browser.new_context(base_url=asgi_url, locale="en-US", reduced_motion="reduce")
    context.set_default_timeout(10_000)
    mine = context.new_page()
    login(mine, ada.email, PASSWORD)
    mine.goto(contact.get_absolute_url())

    # Ada assigns Bob a task from the contact's page.
    quick_add = mine.locator(".task-quick-add")
    quick_add.get_by_label("Title").fill("Send Wei the quote")
    quick_add.get_by_label("Assignee").select_option(label="Bob")
    quick_add.get_by_role("button", name="Add task").click()
    expect(mine.locator(".task-quick-add")).to_be_visible()
    expect(bell(theirs, 1)).to_be_visible(timeout=LIVE)

    # She mentions him in a comment on the contact, choosing him with the keyboard.
    box = mine.get_by_label("Add a comment")
    box.click()
    mine.keyboard.type("@bo")
    expect(mine.get_by_role("listbox", name="People").get_by_role("option")).to_have_count(1)
    mine.keyboard.press("ArrowDown")
    mine.keyboard.press("Enter")
    mine.keyboard.type("the quote is in your tasks.")
    mine.get_by_role("button", name="Comment", exact=True).click()
    expect(mine.locator(".collab-comments a.mention")).to_have_text("@Bob")
    assert_accessible(mine)
    expect(bell(theirs, 2)).to_be_visible(timeout=LIVE)

    # And in the team channel, where Bob is reading: the message appears without a reload.
    mine.get_by_role("link", name="Chat").first.click()
    expect(mine.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    send(mine, f"@[Bob](user:{bob.pk}) Wei is waiting for the quote")
    incoming = theirs.locator(".chat-message", has_text="Wei is waiting for the quote")
    expect(incoming).to_be_visible(timeout=LIVE)
    expect(incoming.locator(".mention")).to_have_text("@Bob")
    expect(bell(theirs, 3)).to_be_visible(timeout=LIVE)
    assert_accessible(theirs)

    # Bob reads his notifications and completes the task.
    bell(theirs, 3).click()
    notifications = theirs.locator(".notification")
    expect(notifications).to_have_count(3)
    expect(notifications.first).to_contain_text("Ada")
    assert_accessible(theirs)
    theirs.goto("/tasks/")
    row = theirs.locator(".task-row", has_text="Send Wei the quote")
    row.get_by_role("button", name="Complete “Send Wei the quote”").click()
    expect(theirs.locator("#task-tabs")).to_contain_text("My tasks 0")
    assert_accessible(theirs)
    task = Task.objects.get(title="Send Wei the quote")
    assert task.assignee == bob and task.completed_at is not None
    context.close()
