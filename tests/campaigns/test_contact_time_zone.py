"""A contact's time zone (what "send at a local time" reads): chosen from the IANA names in
the contact form, checked in the API, and kept through a merge."""

import pytest
from django.urls import reverse

from clarion.crm.merge import merge_records
from clarion.crm.models import Contact
from tests.crm.api_support import key_for
from tests.segments.support import make_contact

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_contact_form_offers_the_zones_and_saves_one(admin_client):
    page = admin_client.get(reverse("crm:contact_create"))
    assert '<option value="Asia/Tokyo">Asia / Tokyo</option>' in page.text
    admin_client.post(reverse("crm:contact_create"), {
        "first_name": "Kei", "email": "kei@example.org", "time_zone": "Asia/Tokyo"})
    assert Contact.objects.get(email="kei@example.org").time_zone == "Asia/Tokyo"


def test_the_contact_form_refuses_an_unknown_zone(admin_client):
    page = admin_client.post(reverse("crm:contact_create"), {
        "first_name": "Kei", "email": "kei@example.org", "time_zone": "Mars/Olympus"})
    assert page.status_code == 400
    assert "Mars/Olympus is not one of the available choices" in page.text
    assert not Contact.objects.filter(email="kei@example.org").exists()


def test_the_api_reads_and_checks_the_time_zone(client, admin_user):
    headers = key_for(admin_user, "contacts:read", "contacts:write")
    created = client.post("/api/v1/contacts", {"email": "z@example.org",
                                               "time_zone": "Europe/Paris"},
                          content_type=JSON, **headers)
    assert created.status_code == 201 and created.json()["time_zone"] == "Europe/Paris"
    refused = client.post("/api/v1/contacts", {"email": "y@example.org",
                                               "time_zone": "Europe/Atlantis"},
                          content_type=JSON, **headers)
    assert refused.status_code == 422


def test_a_merge_can_take_the_other_contacts_time_zone(admin_user):
    keep = make_contact(email="a@example.org")
    lose = make_contact(email="b@example.org", time_zone="America/Chicago")
    merged = merge_records(keep, lose, actor=admin_user, choices={})
    assert merged.time_zone == "America/Chicago"  # an empty value takes the other's
