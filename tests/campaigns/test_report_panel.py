"""The "Marketing email" card of contact pages: the contact's latest campaign emails with
what happened, linking to the trace for people with the marketing capability. The card loads
its list on its own, so the contact page pays nothing for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clarion.accounts.services import create_user
from clarion.sending.models import Message
from tests.campaigns.test_reports import add_message, make_campaign, make_contact

pytestmark = pytest.mark.django_db


def card_url(contact) -> str:
    return reverse("campaign_reports:contact_messages", args=[contact.pk])


@pytest.fixture
def contact_with_emails():
    contact = make_contact(first_name="Nora")
    opened = make_campaign(name="Spring news")
    add_message(opened, contact, opened_at=timezone.now(), open_count=1)
    skipped = make_campaign(name="Summer sale")
    add_message(skipped, contact, status=Message.Status.SKIPPED, reason="unsubscribed")
    return contact, opened


def test_the_contact_page_shows_the_card_which_loads_its_list(client, admin_user,
                                                              contact_with_emails):
    contact, _opened = contact_with_emails
    client.force_login(admin_user)
    html = client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    assert "Marketing email" in html and f'hx-get="{card_url(contact)}"' in html


def test_the_card_lists_the_contacts_campaign_emails_with_trace_links(
        client, admin_user, contact_with_emails):
    contact, opened = contact_with_emails
    client.force_login(admin_user)
    html = client.get(card_url(contact)).content.decode()
    assert "Spring news" in html and "Opened" in html
    assert "Summer sale" in html and "Not sent" in html
    assert reverse("campaign_reports:trace", args=[opened.pk, contact.pk]) in html


def test_without_the_marketing_capability_there_are_no_trace_links(
        client, sales_user, contact_with_emails):
    contact, opened = contact_with_emails
    client.force_login(sales_user)
    html = client.get(card_url(contact)).content.decode()
    assert "Spring news" in html
    assert reverse("campaign_reports:trace", args=[opened.pk, contact.pk]) not in html


def test_the_list_is_only_for_people_who_may_see_the_contact(client, roles,
                                                             contact_with_emails):
    contact, _opened = contact_with_emails
    role = roles["Sales"]
    role.capabilities = [c for c in role.capabilities if not c.startswith("contacts.")] + [
        "contacts.view_own"]
    role.save()
    outsider = create_user(email="olga@example.com", password="correct horse battery",
                           role=role)
    client.force_login(outsider)
    assert client.get(card_url(contact)).status_code == 404


def test_the_list_costs_the_same_queries_however_many_emails(
        client, admin_user, django_assert_max_num_queries):
    contact = make_contact()
    add_message(make_campaign(name="First"), contact)
    client.force_login(admin_user)
    client.get(card_url(contact))
    with CaptureQueriesContext(connection) as one:
        client.get(card_url(contact))
    for number in range(5):
        add_message(make_campaign(name=f"Campaign {number}"), contact)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(card_url(contact))


def test_a_contact_without_campaign_email_says_so(client, admin_user):
    contact = make_contact()
    client.force_login(admin_user)
    html = client.get(card_url(contact)).content.decode()
    assert "No marketing email sent to this contact yet." in html


def test_guests_do_not_see_the_card(roles):
    from django.test import RequestFactory

    from clarion.campaigns.panels import marketing_email_panel

    guest = create_user(email="guest@example.com", password="correct horse battery",
                        role=roles["Read-only"])
    guest.is_guest = True
    request = RequestFactory().get("/")
    request.user = guest
    assert marketing_email_panel(request, None, make_contact()) is None
