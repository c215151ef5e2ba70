"""Sender identity settings: CRUD, default sender, DKIM generation, the key never shown."""

import pytest
from django.test import Client

from clarion.sending import signing
from clarion.sending.models import SenderIdentity
from tests.sending.support import make_send, make_sender

pytestmark = pytest.mark.django_db

FIELDS = {"name": "News", "from_name": "Acme", "from_email": "news@acme.example",
          "reply_to": "", "postal_address": "1 Main St", "dkim_domain": "", "dkim_selector": ""}


@pytest.fixture
def admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_adding_a_sender_makes_the_first_one_default(admin):
    response = admin.post("/settings/senders/new/", FIELDS)
    sender = SenderIdentity.objects.get()
    assert response.status_code == 302 and sender.is_default


def test_generating_a_key_shows_the_dns_record_but_never_the_private_key(admin):
    sender = make_sender()
    admin.post(f"/settings/senders/{sender.pk}/dkim/")
    sender.refresh_from_db()
    assert sender.dkim_selector == "clarion1" and sender.dkim_domain == "acme.example"
    page = admin.get(f"/settings/senders/{sender.pk}/").content.decode()
    _name, value = signing.dns_record(domain="acme.example", selector="clarion1",
                                      private_pem=sender.dkim_private_key)
    assert "clarion1._domainkey.acme.example" in page and value in page
    assert "PRIVATE KEY" not in page and "_dmarc.acme.example" in page


def test_saving_without_a_key_keeps_the_stored_one_and_a_bad_key_is_refused(admin):
    key = signing.generate_private_key()
    sender = make_sender(dkim_selector="s1", dkim_private_key=key)
    admin.post(f"/settings/senders/{sender.pk}/", {**FIELDS, "dkim_selector": "s1",
                                                   "name": "Renamed"})
    sender.refresh_from_db()
    assert sender.name == "Renamed" and sender.dkim_private_key == key
    refused = admin.post(f"/settings/senders/{sender.pk}/", {**FIELDS, "dkim_selector": "s1",
                                                            "private_key": "not a key"})
    assert refused.status_code == 422
    admin.post(f"/settings/senders/{sender.pk}/", {**FIELDS, "remove_key": "on"})
    sender.refresh_from_db()
    assert sender.dkim_private_key == ""


def test_one_default_and_a_used_sender_is_kept(admin):
    first, second = make_sender(), make_sender(name="Other")
    admin.post(f"/settings/senders/{second.pk}/default/")
    assert list(SenderIdentity.objects.filter(is_default=True)) == [second]
    make_send(sender=first)
    admin.post(f"/settings/senders/{first.pk}/delete/")
    assert SenderIdentity.objects.filter(pk=first.pk).exists()


def test_the_list_needs_the_settings_capability(admin, sales_user):
    make_sender()
    assert admin.get("/settings/senders/").status_code == 200
    other = Client()
    other.force_login(sales_user)
    assert other.get("/settings/senders/").status_code == 403


def test_the_list_costs_the_same_queries_for_one_or_many_senders(
        admin, django_assert_max_num_queries):
    make_sender()
    with django_assert_max_num_queries(12) as one:
        admin.get("/settings/senders/")
    for n in range(5):
        make_sender(name=f"S{n}")
    with django_assert_max_num_queries(len(one)):
        admin.get("/settings/senders/")
