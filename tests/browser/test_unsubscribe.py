"""A recipient leaves a newsletter from the link of an email they received, then uses the
preference centre by keyboard — on a phone-sized screen, with axe checking every page."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from clarion.subscriptions.links import recipient_links
from clarion.subscriptions.models import (
    ConsentRecord,
    Subscription,
    SubscriptionType,
    Suppression,
)
from tests.browser.conftest import assert_accessible
from tests.subscriptions.support import make_contact, make_message, make_type, token_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path_of(url: str) -> str:
    return urlsplit(url).path


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def status_of(contact, kind) -> str:
    row = Subscription.objects.filter(contact=contact, subscription_type=kind).first()
    return row.status if row else ""


def test_recipient_unsubscribes_from_a_received_message(page):
    news = make_type("Newsletter", description="Our monthly news")
    contact = make_contact(email="reader@example.org", first_name="Rita")
    message = make_message(contact, news, name="October news")
    links = recipient_links(token_of(message))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(path_of(links["unsubscribe_url"]))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Unsubscribe reader@example.org from Newsletter?")
    assert status_of(contact, news) == ""  # opening the link changed nothing
    assert no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="Unsubscribe from Newsletter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    expect(page.get_by_role("status")).to_contain_text(
        "reader@example.org will no longer receive Newsletter.")
    assert_accessible(page)
    assert status_of(contact, news) == "unsubscribed"
    record = ConsentRecord.objects.get()
    assert record.method == "unsubscribe_page" and "October news" in record.source
    assert "Chrome" in record.user_agent and record.ip_address == "127.0.0.1"
    message.refresh_from_db()
    assert message.unsubscribed_at is not None

    # Back via the page's own link to the preference centre.
    page.get_by_role("link", name="Manage your email preferences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email preferences")
    expect(page.get_by_role("checkbox", name="Newsletter")).not_to_be_checked()


def test_preference_centre_by_keyboard(page):
    news = make_type("Newsletter", description="Our monthly news")
    offers = make_type("Offers", requires_opt_in=True, description="Discounts for members")
    contact = make_contact(email="kim@example.org")
    message = make_message(contact, news)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path_of(recipient_links(token_of(message))["preferences_url"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email preferences")
    assert no_horizontal_scroll(page)
    assert_accessible(page)

    # Tab through the page: every control is reachable in reading order, without a mouse;
    # Space toggles a box, Enter on "Save preferences" submits.
    focused_name = (
        "(() => { const e = document.activeElement;"
        " return ((e.labels && e.labels.length) ? e.labels[0].textContent : e.textContent)"
        ".trim(); })()")
    reached = []
    while len(reached) < 15:
        page.keyboard.press("Tab")
        reached.append(page.evaluate(focused_name))
        if reached[-1] in ("Newsletter", "Offers"):
            page.keyboard.press("Space")
        if reached[-1] == "Save preferences":
            break
    types = list(SubscriptionType.objects.filter(archived=False).values_list("name", flat=True))
    assert reached == [*types, "Save preferences"], reached
    expect(page.get_by_role("checkbox", name="Offers")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Newsletter")).not_to_be_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your preferences are saved.")
    assert_accessible(page)
    assert status_of(contact, news) == "unsubscribed"
    assert status_of(contact, offers) == "subscribed"

    # Unsubscribe from everything, then come back, still by keyboard.
    page.get_by_role("button", name="Unsubscribe from all email").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("You have unsubscribed from all email.")).to_be_visible()
    assert Suppression.objects.get().reason == "unsubscribed_all"
    assert_accessible(page)
    page.get_by_role("button", name="Resubscribe").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert not Suppression.objects.exists()
    assert list(ConsentRecord.objects.order_by("id").values_list("method", flat=True)) == [
        "preference_centre"] * 4


def test_one_click_post_from_a_mail_client(page, live_url):
    news = make_type("Newsletter")
    contact = make_contact(email="gmail-user@example.org")
    message = make_message(contact, news)
    # What a mailbox provider does: a bare POST, no cookie, no page load first.
    response = page.request.post(f"{live_url}/email/u/{token_of(message)}/",
                                 form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    assert status_of(contact, news) == "unsubscribed"


def test_staff_pages_are_accessible(page, admin_user):
    from clarion.subscriptions import services
    from tests.browser.conftest import login

    news = make_type("Newsletter")
    contact = make_contact(email="kim@example.org", first_name="Kim")
    services.unsubscribe(contact, news, method="manual", actor=admin_user)
    services.suppress("bounced@example.org", "hard_bounce", detail="550 user unknown")
    login(page, "admin@example.com", "correct horse battery")
    for url in ["/settings/subscription-types/", "/settings/subscription-types/new/",
                "/email/suppressions/", contact.get_absolute_url(),
                f"/email/contacts/{contact.pk}/consent/",
                f"/email/contacts/{contact.pk}/subscriptions/"]:
        page.goto(url)
        assert_accessible(page)
    # Change a subscription from the contact page's panel, by keyboard.
    page.goto(contact.get_absolute_url())
    page.get_by_label("Status of Newsletter").select_option("subscribed")
    page.get_by_role("button", name="Save Newsletter").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert status_of(contact, news) == "subscribed"
    expect(page.get_by_role("region", name="Email subscriptions")).to_contain_text("Subscribed")
