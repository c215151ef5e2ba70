"""What the send engine and tracking use: the List-Unsubscribe headers, the recipient links
and suppress()."""

import pytest
from django.test import override_settings

from clarion.core.events.models import Event
from clarion.subscriptions import headers, links, services
from clarion.subscriptions.models import ConsentRecord, Suppression

from .support import make_contact

pytestmark = pytest.mark.django_db


@override_settings(SITE_URL="https://crm.example.com", DEFAULT_FROM_EMAIL="News <news@acme.test>")
def test_list_unsubscribe_headers_follow_rfc_8058():
    values = headers.list_unsubscribe_headers("3k-abcDEF")
    assert values == {
        "List-Unsubscribe": "<https://crm.example.com/email/u/3k-abcDEF/>, "
                            "<mailto:unsubscribe@acme.test?subject=unsubscribe-3k-abcDEF>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@override_settings(CLARION_UNSUBSCRIBE_MAILTO="leave@lists.acme.test")
def test_mailto_address_is_configurable():
    assert "<mailto:leave@lists.acme.test?subject=unsubscribe-t-x>" in \
        headers.list_unsubscribe_headers("t-x")["List-Unsubscribe"]


@override_settings(SITE_URL="https://crm.example.com")
def test_recipient_links():
    assert links.recipient_links("7-xyz") == {
        "unsubscribe_url": "https://crm.example.com/email/u/7-xyz/",
        "preferences_url": "https://crm.example.com/email/preferences/7-xyz/"}


def test_suppress_is_case_insensitive_idempotent_and_logged():
    contact = make_contact(email="Bounce@Example.org")
    first = services.suppress("  BOUNCE@example.ORG ", Suppression.Reason.HARD_BOUNCE,
                              detail="550 5.1.1 user unknown")
    again = services.suppress("bounce@example.org", Suppression.Reason.COMPLAINT)
    assert first.pk == again.pk
    assert Suppression.objects.get().email == "bounce@example.org"
    assert Suppression.objects.get().reason == "hard_bounce"  # the first reason stays
    record = ConsentRecord.objects.get()
    assert (record.contact, record.action, record.method, record.email) == (
        contact, "suppressed", "bounce", "bounce@example.org")
    assert "550 5.1.1" in record.source
    event = Event.objects.get(kind="subscription.changed")
    assert event.contact_id == contact.pk
    assert event.data == {"subscription_type_id": None, "status": "suppressed",
                          "method": "bounce"}


def test_suppress_an_address_no_contact_holds():
    services.suppress("nobody@example.org", Suppression.Reason.COMPLAINT)
    assert ConsentRecord.objects.get().contact is None
    assert not Event.objects.filter(kind="subscription.changed").exists()
    assert services.suppress("", Suppression.Reason.MANUAL) is None


def test_unsuppress():
    make_contact(email="a@example.org")
    services.suppress("a@example.org", Suppression.Reason.MANUAL)
    assert services.unsuppress("A@EXAMPLE.org")
    assert not Suppression.objects.exists()
    assert not services.unsuppress("a@example.org")
    assert list(ConsentRecord.objects.order_by("id").values_list("action", flat=True)) == [
        "suppressed", "unsuppressed"]
