"""Who may do what through the CRM API: scopes, record visibility (IDOR) and error shapes."""

import pytest

from clarion.crm.models import Contact, Deal
from tests.crm.api_support import *  # noqa: F403  (fixtures)
from tests.crm.api_support import key_for, make_contact, make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_deal(other_sales_user, pipeline):
    """A deal owned by Pat; Sales users see and edit only their own deals."""
    return make_deal(other_sales_user, pipeline, name="Pat's secret deal")


def test_no_key_answers_401_in_the_error_format(client):
    response = client.get("/api/v1/contacts")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "WWW-Authenticate" in response


def test_a_key_without_the_write_scope_cannot_create(client, sales_user):
    headers = key_for(sales_user, "contacts:read")

    response = client.post("/api/v1/contacts", {"email": "a@example.com"},
                           content_type="application/json", **headers)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Contact.objects.exists()


def test_a_key_without_the_read_scope_cannot_list(client, sales_user):
    headers = key_for(sales_user, "deals:read")

    response = client.get("/api/v1/contacts", **headers)

    assert response.status_code == 403


def test_someone_elses_private_deal_is_not_found_by_id(client, sales_user, private_deal):
    headers = key_for(sales_user)
    url = f"/api/v1/deals/{private_deal.pk}"

    read = client.get(url, **headers)
    update = client.patch(url, {"name": "Mine now"}, content_type="application/json", **headers)
    delete = client.delete(url, **headers)
    timeline = client.get(f"{url}/timeline", **headers)

    assert [r.status_code for r in (read, update, delete, timeline)] == [404, 404, 404, 404]
    assert read.json()["error"]["code"] == "not_found"
    assert Deal.objects.get(pk=private_deal.pk).name == "Pat's secret deal"


def test_someone_elses_private_deal_is_not_listed_or_searched(client, sales_user,
                                                             private_deal, pipeline):
    own = make_deal(sales_user, pipeline, name="Sam's deal")
    headers = key_for(sales_user)

    listed = client.get("/api/v1/deals", **headers).json()
    searched = client.post("/api/v1/deals/search", {}, content_type="application/json",
                           **headers).json()
    by_owner = client.get(f"/api/v1/deals?owner={private_deal.owner_id}", **headers).json()

    assert [d["id"] for d in listed["results"]] == [own.pk]
    assert [d["id"] for d in searched["results"]] == [own.pk]
    assert by_owner["results"] == []


def test_a_visible_contact_someone_else_owns_cannot_be_edited(client, sales_user,
                                                             other_sales_user):
    contact = make_contact(other_sales_user, city="Oslo")
    headers = key_for(sales_user)
    url = f"/api/v1/contacts/{contact.pk}"

    read = client.get(url, **headers)
    update = client.patch(url, {"city": "Rome"}, content_type="application/json", **headers)

    assert read.status_code == 200  # Sales sees every contact…
    assert update.status_code == 403  # …but edits only their own
    assert update.json()["error"]["code"] == "permission_denied"
    assert Contact.objects.get(pk=contact.pk).city == "Oslo"


def test_deleting_needs_the_delete_capability(client, sales_user):
    contact = make_contact(sales_user)

    response = client.delete(f"/api/v1/contacts/{contact.pk}", **key_for(sales_user))

    assert response.status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_record_cannot_be_created_for_an_owner_one_may_not_edit_for(client, sales_user,
                                                                     other_sales_user):
    response = client.post("/api/v1/contacts", {"email": "a@example.com",
                                                "owner_id": other_sales_user.pk},
                           content_type="application/json", **key_for(sales_user))

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_a_deal_cannot_be_linked_to_a_contact_one_cannot_see(client, sales_user,
                                                            private_deal, pipeline):
    response = client.post("/api/v1/deals", {"name": "Mine", "company_id": None,
                                             "contact_ids": [999999]},
                           content_type="application/json", **key_for(sales_user))

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.contact_ids"


def test_an_unknown_record_answers_404(client, admin_user):
    response = client.get("/api/v1/companies/424242", **key_for(admin_user))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
