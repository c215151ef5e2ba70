"""A sent campaign's report in a real browser at phone width: the numbers and chart, a drill
into "Opened", one contact's trace and their page's "Marketing email" card; every page
checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clarion.sending.models import Message
from tests.browser.conftest import assert_accessible, login
from tests.campaigns.test_reports import add_message, email_events, make_campaign, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def campaign(transactional_db):
    campaign = make_campaign(name="Autumn newsletter")
    start = campaign.send.started_at
    for index in range(6):
        contact = make_contact(first_name=f"Reader{index}", last_name="Example")
        opened = index < 3
        message = add_message(campaign, contact, opened_at=start + timedelta(hours=index)
                              if opened else None, open_count=int(opened),
                              delivered_at=start + timedelta(minutes=2))
        if opened:
            email_events(message, "email.sent", start + timedelta(minutes=1))
            email_events(message, "email.opened", start + timedelta(hours=index))
        if index == 0:
            Message.objects.filter(pk=message.pk).update(clicked_at=timezone.now(),
                                                         click_count=1)
            email_events(message, "email.clicked", start + timedelta(hours=1),
                         url="https://example.com/autumn", link=0)
    add_message(campaign, make_contact(first_name="Quiet"), status=Message.Status.SKIPPED,
                reason="unsubscribed")
    return campaign


def test_report_drill_into_opened_and_trace_one_contact_at_phone_width(page, marketer,
                                                                        campaign):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, marketer.email, PASSWORD)
    page.goto(f"/email/campaigns/{campaign.pk}/report/")
    expect(page.get_by_role("heading", name="Campaign report")).to_be_visible()
    expect(page.get_by_role("img", name="Opens and clicks over time")).to_be_visible()
    expect(page.get_by_text("https://example.com/autumn")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.get_by_role("link", name="Opened", exact=True).click()
    expect(page.get_by_role("heading", name="Opened", exact=True)).to_be_visible()
    rows = page.locator("#report-contacts tbody tr")
    expect(rows).to_have_count(3)
    assert_accessible(page)

    rows.first.get_by_role("link", name="Why?").click()
    expect(page.get_by_text("Sent on")).to_be_visible()
    expect(page.get_by_role("heading", name="This email on the contact's timeline")).to_be_visible()
    assert_accessible(page)

    # The contact's page: the "Marketing email" card loads the emails sent to them.
    page.locator(".page-header").get_by_role("link", name="Reader0 Example").click()
    card = page.locator("section", has=page.get_by_role("heading", name="Marketing email"))
    expect(card.get_by_role("link", name="Autumn newsletter")).to_be_visible()
    assert_accessible(page)
