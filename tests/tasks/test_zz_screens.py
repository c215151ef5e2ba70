import pytest
from playwright.sync_api import expect

from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.tasks import services
from clarion.tasks.models import TaskQueue
from tests.browser.conftest import login
from tests.tasks.conftest import in_hours
from tests.tasks.test_tasks_browser import PASSWORD, people  # noqa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_screens(page, people):
    ada, bob = people
    c = create_record(Contact, actor=ada, values={"owner": ada, "first_name": "Grace", "last_name": "Hopper", "email": "g@example.com"})
    services.create_task(actor=ada, title="Call back about the renewal quote", kind="call", priority="high", due_at=in_hours(-20), contacts=[c])
    services.create_task(actor=ada, title="Send the security questionnaire", kind="email", due_at=in_hours(3), reminder="60")
    services.create_task(actor=ada, title="Weekly pipeline review", due_at=in_hours(50), repeat="weekly")
    login(page, ada.email, PASSWORD)
    page.goto("/tasks/")
    page.screenshot(path="/tmp/s_list.png", full_page=True)
    page.locator(".task-row summary", has_text="Snooze").first.click()
    page.screenshot(path="/tmp/s_snooze.png")
    page.goto(f"/contacts/{c.pk}/")
    page.screenshot(path="/tmp/s_record.png", full_page=True)
    page.locator("body").press("t")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.screenshot(path="/tmp/s_dialog.png")
    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/tasks/")
    page.screenshot(path="/tmp/s_mobile.png", full_page=True)
