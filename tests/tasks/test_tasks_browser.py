"""Tasks in a real browser: the "t" shortcut on a record page creates a linked task that the
record's panel lists and completes; one person assigns a task that another sees in My tasks;
the views work at 390px. Every page is checked with axe."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.models import Team
from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.tasks.models import Task
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def people(transactional_db):
    roles = ensure_default_roles()
    team = Team.objects.create(name="Inside sales")
    ada = create_user(email="ada@example.com", password=PASSWORD, first_name="Ada",
                      last_name="Lovelace", role=roles["Sales"], teams=[team])
    bob = create_user(email="bob@example.com", password=PASSWORD, first_name="Bob",
                      last_name="Byte", role=roles["Sales"], teams=[team])
    return ada, bob


def test_shortcut_on_a_record_page_creates_a_linked_task_that_is_then_completed(page, people):
    ada, _bob = people
    contact = create_record(Contact, actor=ada, values={
        "owner": ada, "first_name": "Grace", "last_name": "Hopper",
        "email": "grace@example.com"})
    login(page, ada.email, PASSWORD)
    page.goto(f"/contacts/{contact.pk}/")
    panel = page.locator(".task-panel")
    expect(panel).to_contain_text("No open tasks.")
    assert_accessible(page)

    page.locator("body").press("t")
    dialog = page.get_by_role("dialog", name="New task")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Title")).to_be_focused()
    dialog.get_by_text("Linked records, queue, repeat and notes").click()
    expect(dialog.get_by_label("Contacts")).to_have_values([str(contact.pk)])
    assert_accessible(page)
    dialog.get_by_label("Title").fill("Call Grace back")
    dialog.get_by_label("Type").select_option("call")
    dialog.get_by_label("Due date").fill("2031-05-04")
    dialog.get_by_label("Due time").fill("10:30")
    dialog.get_by_role("button", name="Create task").click()

    expect(page.locator(".toast")).to_contain_text("Task “Call Grace back” created.")
    expect(panel).to_contain_text("Call Grace back")
    task = Task.objects.get()
    assert list(task.contacts.all()) == [contact] and task.kind == "call"
    assert_accessible(page)

    panel.get_by_role("button", name="Complete “Call Grace back”").click()
    expect(panel).to_contain_text("No open tasks.")
    expect(page.locator(".timeline")).to_contain_text("Ada Lovelace completed the task")
    assert Task.objects.get().completed_at is not None

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks").click()
    page.get_by_role("link", name="Completed").click()
    row = page.locator(".task-row", has_text="Call Grace back")
    expect(row).to_be_visible()
    assert_accessible(page)
    row.get_by_role("button", name="Reopen “Call Grace back”").click()
    expect(row.get_by_role("button", name="Complete “Call Grace back”")).to_be_visible()
    assert Task.objects.get().completed_at is None


def test_a_task_assigned_by_one_person_shows_in_the_others_my_tasks(browser, live_url, people):
    ada, bob = people
    contexts = [browser.new_context(base_url=live_url, reduced_motion="reduce",
                                    locale="en-US") for _ in range(2)]
    ada_page, bob_page = (context.new_page() for context in contexts)
    try:
        login(ada_page, ada.email, PASSWORD)
        ada_page.goto("/tasks/")
        assert_accessible(ada_page)
        ada_page.get_by_role("link", name="New task").click()
        dialog = ada_page.get_by_role("dialog", name="New task")
        dialog.get_by_label("Title").fill("Prepare the Acme demo")
        dialog.get_by_label("Priority").select_option("high")
        dialog.get_by_label("Assignee").select_option(label="Bob Byte")
        assert_accessible(ada_page)
        dialog.get_by_role("button", name="Create task").click()
        expect(ada_page.locator(".toast")).to_contain_text("created")

        login(bob_page, bob.email, PASSWORD)
        bob_page.goto("/tasks/")
        row = bob_page.locator(".task-row", has_text="Prepare the Acme demo")
        expect(row).to_contain_text("High priority")
        expect(bob_page.locator("#task-tabs")).to_contain_text("My tasks 1")
        assert_accessible(bob_page)
        row.get_by_role("button", name="Complete “Prepare the Acme demo”").click()
        expect(bob_page.locator("#task-tabs")).to_contain_text("My tasks 0")
        expect(bob_page.locator(".toast")).to_contain_text("completed")
        assert_accessible(bob_page)
    finally:
        for context in contexts:
            context.close()


def test_the_views_work_at_390_pixels_with_the_keyboard(page, people):
    ada, _bob = people
    from clarion.tasks import services

    services.create_task(actor=ada, title="Follow up with Northwind about the renewal")
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, ada.email, PASSWORD)
    page.goto("/tasks/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    snooze = page.locator(".task-row summary", has_text="Snooze")
    snooze.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Tomorrow").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".toast")).to_contain_text("Snoozed until")
    assert Task.objects.get().due_at is not None
    assert_accessible(page)
    page.get_by_role("link", name="Follow up with Northwind about the renewal", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Follow up with Northwind about the renewal")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_create_tasks_for_the_selected_records_of_a_list(page, people):
    ada, bob = people
    for first in ("Grace", "Alan"):
        create_record(Contact, actor=ada, values={"owner": ada, "first_name": first,
                                                  "email": f"{first.lower()}@example.com"})
    login(page, ada.email, PASSWORD)
    page.goto("/contacts/")
    page.get_by_label("Select Grace").check()
    page.get_by_label("Select Alan").check()
    page.get_by_role("button", name="Create tasks").click()
    dialog = page.get_by_role("dialog", name="Create a task for each selected record")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_label("Title").fill("Invite to the user conference")
    dialog.get_by_label("For").select_option(label="Bob Byte")
    dialog.get_by_role("button", name="Create tasks").click()
    expect(page.locator(".toast")).to_contain_text("2 tasks created.")
    tasks = Task.objects.all()
    assert {task.assignee for task in tasks} == {bob} and tasks.count() == 2
    assert_accessible(page)
