import pytest

from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Pipeline
from tests.crm.api_support import *  # noqa: F403  (fixtures)
from tests.crm.api_support import key_for

pytestmark = pytest.mark.django_db


def test_pipelines_are_listed_with_their_stages_in_order(client, admin_headers, pipeline,
                                                         django_assert_max_num_queries):
    client.get("/api/v1/pipelines", **admin_headers)

    with django_assert_max_num_queries(3):  # the key, the pipelines, their stages
        body = client.get("/api/v1/pipelines", **admin_headers).json()

    ours = next(p for p in body["results"] if p["id"] == pipeline.pk)
    assert [stage["name"] for stage in ours["stages"]] == ["New", "Won"]


def test_an_admin_creates_a_pipeline_and_adds_and_changes_stages(client, admin_headers):
    created = client.post("/api/v1/pipelines", {"name": "Renewals"},
                          content_type="application/json", **admin_headers)
    pipeline_id = created.json()["id"]

    stage = client.post(f"/api/v1/pipelines/{pipeline_id}/stages",
                        {"name": "Signed", "probability": 100, "outcome": "won"},
                        content_type="application/json", **admin_headers)
    changed = client.patch(f"/api/v1/pipelines/{pipeline_id}/stages/{stage.json()['id']}",
                           {"probability": 90}, content_type="application/json",
                           **admin_headers)

    assert created.status_code == 201 and stage.status_code == 201
    assert changed.json() | {"id": 0} == {"id": 0, "name": "Signed", "probability": 90,
                                          "outcome": "won", "position": 1}


def test_changing_pipelines_needs_settings_manage(client, sales_user):
    response = client.post("/api/v1/pipelines", {"name": "Mine"},
                           content_type="application/json", **key_for(sales_user))

    assert response.status_code == 403
    assert not Pipeline.objects.filter(name="Mine").exists()


def test_property_definitions_are_created_changed_and_archived(client, admin_headers):
    created = client.post("/api/v1/properties/contact",
                          {"label": "Shoe size", "type": "number",
                           "validation": {"min": 1}},
                          content_type="application/json", **admin_headers)
    changed = client.patch("/api/v1/properties/contact/shoe_size", {"label": "Shoe (EU)"},
                           content_type="application/json", **admin_headers)
    archived = client.post("/api/v1/properties/contact/shoe_size/archive", **admin_headers)
    listed = client.get("/api/v1/properties/contact", **admin_headers).json()
    with_archived = client.get("/api/v1/properties/contact?include_archived=true",
                               **admin_headers).json()

    assert created.status_code == 201 and created.json()["name"] == "shoe_size"
    assert changed.json()["label"] == "Shoe (EU)"
    assert archived.json()["archived"] is True
    assert listed["results"] == []
    assert [p["name"] for p in with_archived["results"]] == ["shoe_size"]


def test_a_select_property_without_options_is_refused(client, admin_headers):
    response = client.post("/api/v1/properties/deal", {"label": "Tier", "type": "select"},
                           content_type="application/json", **admin_headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.options"
    assert not PropertyDefinition.objects.exists()


def test_property_definitions_are_read_with_the_areas_read_scope(client, sales_user):
    read_only = key_for(sales_user, "companies:read")

    listed = client.get("/api/v1/properties/company", **read_only)
    other_area = client.get("/api/v1/properties/contact", **read_only)
    change = client.post("/api/v1/properties/company", {"label": "X", "type": "text"},
                         content_type="application/json", **read_only)

    assert (listed.status_code, other_area.status_code, change.status_code) == (200, 403, 403)


def test_a_property_list_page_costs_the_same_queries_whatever_its_size(
        client, admin_headers, django_assert_num_queries):
    for number in range(5):
        PropertyDefinition.objects.create(object_type="deal", name=f"p{number}",
                                          label=f"P {number}", type="text", position=number)
    client.get("/api/v1/properties/deal", **admin_headers)

    with django_assert_num_queries(2):  # the key, the page
        body = client.get("/api/v1/properties/deal?limit=100", **admin_headers).json()

    assert [p["name"] for p in body["results"]] == [f"p{n}" for n in range(5)]
