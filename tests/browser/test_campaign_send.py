"""A marketer sends a campaign to a segment in a real browser: builds it in the editor, sees
the live recipient estimate and the launch checklist, confirms, and the messages — each
personalized — arrive at a real SMTP server (aiosmtpd) once the delivery worker runs. The
pages pass axe, work by keyboard and fit a 390 px wide phone."""

from email import message_from_bytes, policy

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from clarion.campaigns import services
from clarion.campaigns.models import Campaign
from clarion.sending.tasks import deliver_due
from tests.browser.conftest import assert_accessible, login
from tests.campaigns.support import make_email, make_list, make_sender, marketing_type
from tests.segments.support import make_contact
from tests.sending.smtp_server import SMTPServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def audience(marketer):
    make_sender()
    marketing_type()
    make_email("Spring news")
    ann = make_contact(email="ann@example.org", first_name="Ann")
    bob = make_contact(email="bob@example.org", first_name="Bob")
    return make_list("Customers", [ann, bob])


def fits_the_phone(page) -> None:
    """Nothing wider than the 390 px screen, once toasts have settled."""
    page.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=5_000)


def body_of(raw: bytes) -> tuple[str, str]:
    message = message_from_bytes(raw, policy=policy.default)
    text = message.get_body(preferencelist=("plain",))
    return str(message["Subject"]), text.get_content() if text else ""


@pytest.fixture
def smtp_server():
    """A real SMTP server the mailer points at, for the live server's thread as well."""
    with SMTPServer() as server, override_settings(MAILERS=server.mailer(timeout=2)):
        yield server


def test_a_marketer_sends_a_campaign_to_a_segment(page, marketer, audience, smtp_server):
    login(page, marketer.email, PASSWORD)
    page.goto("/email/campaigns/")
    expect(page.get_by_role("heading", name="Campaigns", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_label("Name").fill("Spring to customers")
    page.get_by_role("button", name="Create and continue").click()

    page.locator("#id_email").select_option(label="Spring news")
    page.get_by_label("Customers (2)").first.check()
    estimate = page.locator("#campaign-estimate")
    expect(estimate).to_contain_text("2 contacts will receive it")
    expect(page.locator("[data-unsaved]")).to_be_visible()  # the send button waits for a save
    page.get_by_role("button", name="Save").click()

    review = page.locator("#review")
    expect(review).to_contain_text("Everything is ready.")
    assert_accessible(page)
    page.get_by_role("button", name="Send now").click()
    dialog = page.locator("#confirm-launch")
    expect(dialog).to_contain_text("goes to 2 contacts")
    dialog.get_by_role("button", name="Send now").click()
    expect(page.locator("#campaign-progress")).to_contain_text("of 2 messages done")

    deliver_due.call()  # the worker, in-process (a no-op if the wake-up already sent them)
    received = {body_of(raw) for raw in smtp_server.handler.messages.values()}
    assert smtp_server.handler.duplicates() == {}
    assert len(received) == 2
    subjects = {subject for subject, _text in received}
    assert subjects == {"Spring news for Ann", "Spring news for Bob"}
    assert any("Hello Ann, our spring news." in text for _subject, text in received)

    expect(page.locator("#campaign-progress [data-count=sent]")).to_have_text("2",
                                                                           timeout=10_000)
    services.finish_sent()
    page.reload()
    expect(page.locator(".page-header .badge")).to_have_text("Sent")
    assert Campaign.objects.get().status == "sent"
    assert_accessible(page)


def test_the_editor_works_by_keyboard_and_on_a_phone(page, marketer, audience):
    campaign = services.create_campaign(actor=marketer, name="Keyboard campaign")
    login(page, marketer.email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(campaign.get_absolute_url())
    fits_the_phone(page)
    assert_accessible(page)

    page.locator("#id_email").focus()
    page.keyboard.press("ArrowDown")  # the first saved email
    page.get_by_label("Customers (2)").first.focus()
    page.keyboard.press("Space")
    expect(page.locator("#campaign-estimate")).to_contain_text("2 contacts will receive it")
    page.get_by_role("radio", name="Subject lines").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Variant A subject")).to_be_visible()
    page.get_by_label("Variant A subject").focus()
    page.keyboard.type("Spring is here")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Variant B subject")).to_be_focused()
    page.keyboard.type("Our spring news")
    page.get_by_label("Test group (% of recipients)").focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("100")  # two recipients: split them rather than hold one back
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#review")).to_contain_text("Everything is ready.")
    fits_the_phone(page)
    assert_accessible(page)  # with the A/B section showing
    page.get_by_role("button", name="Send now").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#confirm-launch")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    campaign.refresh_from_db()
    assert campaign.status == "draft" and campaign.ab_test == "subject"
    assert campaign.test_percent == 100
    assert [v.subject for v in campaign.variants.all()] == ["Spring is here", "Our spring news"]
