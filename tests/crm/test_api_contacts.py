import pytest

from clarion.core.events.models import Event
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact
from clarion.crm.services import update_record
from tests.crm.api_support import *  # noqa: F403  (fixtures)
from tests.crm.api_support import make_company, make_contact

pytestmark = pytest.mark.django_db


def test_a_created_contact_is_owned_by_the_keys_user_and_sourced_from_the_api(
        client, sales_user, sales_headers):
    response = client.post("/api/v1/contacts", {"email": "ann@example.com", "first_name": "Ann"},
                           content_type="application/json", **sales_headers)

    assert response.status_code == 201
    body = response.json()
    assert body["owner_id"] == sales_user.pk and body["original_source"] == "api"
    assert body["version"] == 1 and body["properties"] == {}
    assert Event.objects.filter(kind="contact.created", contact_id=body["id"]).exists()


def test_custom_properties_are_validated_against_their_definitions(client, admin_headers):
    PropertyDefinition.objects.create(object_type="contact", name="tier", label="Tier",
                                      type="select", options=[{"value": "gold", "label": "Gold"}])

    good = client.post("/api/v1/contacts", {"email": "a@example.com",
                                            "properties": {"tier": "gold"}},
                       content_type="application/json", **admin_headers)
    bad = client.post("/api/v1/contacts", {"email": "b@example.com",
                                           "properties": {"tier": "tin", "shoe": 42}},
                      content_type="application/json", **admin_headers)

    assert good.status_code == 201 and good.json()["properties"] == {"tier": "gold"}
    assert bad.status_code == 422
    fields = {detail["field"] for detail in bad.json()["error"]["details"]}
    assert fields == {"body.properties.tier", "body.properties.shoe"}


def test_an_email_another_contact_has_is_refused(client, admin_user, admin_headers):
    make_contact(admin_user, email="taken@example.com")

    response = client.post("/api/v1/contacts", {"email": "TAKEN@example.com"},
                           content_type="application/json", **admin_headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.email"


def test_reading_a_contact_gives_its_version_as_etag(client, admin_user, admin_headers):
    contact = make_contact(admin_user, first_name="Bo")

    response = client.get(f"/api/v1/contacts/{contact.pk}", **admin_headers)

    assert response.status_code == 200
    assert response.json()["first_name"] == "Bo" and response["ETag"] == '"1"'


def test_patch_changes_only_the_fields_sent(client, admin_user, admin_headers):
    contact = make_contact(admin_user, first_name="Bo", city="Oslo")

    response = client.patch(f"/api/v1/contacts/{contact.pk}", {"city": "Lyon"},
                            content_type="application/json", **admin_headers)

    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.first_name, contact.city, contact.version) == ("Bo", "Lyon", 2)
    assert response["ETag"] == '"2"'


def test_if_match_with_a_stale_version_answers_409_conflict(client, admin_user, sales_user,
                                                          admin_headers):
    contact = make_contact(admin_user)
    update_record(contact, actor=sales_user, values={"job_title": "CTO"})

    response = client.patch(f"/api/v1/contacts/{contact.pk}", {"job_title": "CEO"},
                            content_type="application/json", HTTP_IF_MATCH='"1"',
                            **admin_headers)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["details"][0]["field"] == "body.job_title"
    assert Contact.objects.get(pk=contact.pk).job_title == "CTO"


def test_if_match_with_the_current_version_saves(client, admin_user, admin_headers):
    contact = make_contact(admin_user)

    response = client.patch(f"/api/v1/contacts/{contact.pk}", {"job_title": "CEO"},
                            content_type="application/json", HTTP_IF_MATCH='"1"',
                            **admin_headers)

    assert response.status_code == 200 and response.json()["job_title"] == "CEO"


def test_lifecycle_moves_back_only_when_asked(client, admin_user, admin_headers):
    contact = make_contact(admin_user, lifecycle_stage="customer")
    url = f"/api/v1/contacts/{contact.pk}"

    refused = client.patch(url, {"lifecycle_stage": "lead"}, content_type="application/json",
                           **admin_headers)
    allowed = client.patch(f"{url}?allow_lifecycle_backward=true", {"lifecycle_stage": "lead"},
                           content_type="application/json", **admin_headers)

    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "body.lifecycle_stage"
    assert allowed.status_code == 200 and allowed.json()["lifecycle_stage"] == "lead"


def test_a_contact_is_linked_to_a_company_by_id(client, admin_user, admin_headers):
    contact = make_contact(admin_user)
    acme = make_company(admin_user)

    response = client.patch(f"/api/v1/contacts/{contact.pk}", {"company_id": acme.pk},
                            content_type="application/json", **admin_headers)

    assert response.status_code == 200 and response.json()["company_id"] == acme.pk


def test_linking_to_a_missing_company_is_a_validation_error(client, admin_user, admin_headers):
    contact = make_contact(admin_user)

    response = client.patch(f"/api/v1/contacts/{contact.pk}", {"company_id": 999999},
                            content_type="application/json", **admin_headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.company_id"


def test_deleting_a_contact_answers_204(client, admin_user, admin_headers):
    contact = make_contact(admin_user)

    response = client.delete(f"/api/v1/contacts/{contact.pk}", **admin_headers)

    assert response.status_code == 204
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_contact_list_is_filtered_by_query_parameters(client, admin_user, admin_headers):
    make_contact(admin_user, email="ann@example.com", lifecycle_stage="lead")
    make_contact(admin_user, email="bob@example.com", lifecycle_stage="customer")

    by_email = client.get("/api/v1/contacts?email=ANN@example.com", **admin_headers).json()
    by_stage = client.get("/api/v1/contacts?lifecycle_stage=customer", **admin_headers).json()

    assert [c["email"] for c in by_email["results"]] == ["ann@example.com"]
    assert [c["email"] for c in by_stage["results"]] == ["bob@example.com"]


def test_contacts_are_paged_with_a_cursor_in_the_sort_asked_for(client, admin_user,
                                                                admin_headers):
    for letter in "edcba":
        make_contact(admin_user, email=f"{letter}@example.com")

    first = client.get("/api/v1/contacts?sort=email&limit=3", **admin_headers).json()
    second = client.get(f"/api/v1/contacts?sort=email&limit=3&cursor={first['next']}",
                        **admin_headers).json()

    emails = [c["email"] for c in first["results"] + second["results"]]
    assert emails == [f"{letter}@example.com" for letter in "abcde"]
    assert second["next"] is None


def test_an_unknown_sort_is_a_validation_error(client, admin_headers):
    response = client.get("/api/v1/contacts?sort=password", **admin_headers)

    assert response.status_code == 422


def test_a_contact_list_page_costs_the_same_queries_whatever_its_size(
        client, admin_user, admin_headers, django_assert_num_queries):
    company = make_company(admin_user)
    for number in range(6):
        make_contact(admin_user, email=f"p{number}@example.com", company=company)
    client.get("/api/v1/contacts?limit=1", **admin_headers)  # records the key's use

    with django_assert_num_queries(2):  # the key, the page
        small = client.get("/api/v1/contacts?limit=2", **admin_headers)
    with django_assert_num_queries(2):
        large = client.get("/api/v1/contacts?limit=100", **admin_headers)

    assert len(small.json()["results"]) == 2 and len(large.json()["results"]) == 6


def test_the_timeline_lists_the_contacts_events_newest_first_by_pages(client, admin_user,
                                                                     admin_headers):
    contact = make_contact(admin_user)
    for city in ("Oslo", "Lyon", "Rome"):
        update_record(contact, actor=admin_user, values={"city": city})
    url = f"/api/v1/contacts/{contact.pk}/timeline"

    first = client.get(f"{url}?limit=2", **admin_headers).json()
    second = client.get(f"{url}?limit=2&cursor={first['next']}", **admin_headers).json()

    cities = [e["data"].get("new") for e in first["results"] + second["results"]]
    assert cities == ["Rome", "Lyon", "Oslo", None]
    assert second["results"][-1]["kind"] == "contact.created" and second["next"] is None


def test_the_timeline_can_be_narrowed_to_some_kinds(client, admin_user, admin_headers):
    contact = make_contact(admin_user)
    update_record(contact, actor=admin_user, values={"city": "Oslo"})

    body = client.get(f"/api/v1/contacts/{contact.pk}/timeline?kind=contact.created",
                      **admin_headers).json()

    assert [e["kind"] for e in body["results"]] == ["contact.created"]


def test_a_company_list_page_costs_the_same_queries_whatever_its_size(
        client, admin_user, admin_headers, django_assert_num_queries):
    for number in range(5):
        make_company(admin_user, name=f"Company {number}")
    client.get("/api/v1/companies?limit=1", **admin_headers)

    with django_assert_num_queries(2):
        body = client.get("/api/v1/companies?limit=100&sort=name", **admin_headers).json()

    assert [c["name"] for c in body["results"]] == [f"Company {n}" for n in range(5)]
    assert Company.objects.count() == 5


def test_text_with_nul_characters_is_refused(client, admin_headers):
    response = client.post("/api/v1/contacts", {"first_name": "A\u0000B"},
                           content_type="application/json", **admin_headers)

    assert response.status_code == 422
    assert not Contact.objects.exists()


def test_updated_after_accepts_any_offset(client, admin_user, admin_headers):
    make_contact(admin_user, email="a@example.com")

    response = client.get("/api/v1/contacts?updated_after=2000-01-01T00:00:00%2B19:55",
                          **admin_headers)

    assert [c["email"] for c in response.json()["results"]] == ["a@example.com"]


def test_a_timeline_page_costs_the_same_queries_whatever_its_size(
        client, admin_user, admin_headers, django_assert_num_queries):
    contact = make_contact(admin_user)
    for number in range(6):
        update_record(contact, actor=admin_user, values={"city": f"City {number}"})
    url = f"/api/v1/contacts/{contact.pk}/timeline"
    client.get(url, **admin_headers)

    # The key, the contact, the ids of its linked notes/calls/meetings, the events.
    with django_assert_num_queries(4):
        small = client.get(f"{url}?limit=2", **admin_headers).json()
    with django_assert_num_queries(4):
        large = client.get(f"{url}?limit=100", **admin_headers).json()

    assert len(small["results"]) == 2 and len(large["results"]) == 7
