import pytest

from clarion.crm.models import Deal, Pipeline, Stage
from tests.crm.api_support import *  # noqa: F403  (fixtures)
from tests.crm.api_support import make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db


def test_a_new_deal_starts_in_the_default_pipelines_first_stage(client, admin_headers,
                                                                pipeline):
    response = client.post("/api/v1/deals", {"name": "Rollout", "amount": "1200.50"},
                           content_type="application/json", **admin_headers)

    assert response.status_code == 201
    body = response.json()
    assert body["pipeline_id"] == pipeline.pk
    assert body["stage_id"] == pipeline.stages.first().pk and body["amount"] == "1200.50"


def test_a_deal_needs_a_name(client, admin_headers, pipeline):
    response = client.post("/api/v1/deals", {"amount": "10"}, content_type="application/json",
                           **admin_headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.name"


def test_a_stage_of_another_pipeline_is_refused(client, admin_headers, pipeline):
    other = Pipeline.objects.create(name="Renewals")
    foreign = Stage.objects.create(pipeline=other, name="Open")

    response = client.post("/api/v1/deals", {"name": "X", "pipeline_id": pipeline.pk,
                                             "stage_id": foreign.pk},
                           content_type="application/json", **admin_headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.stage_id"


def test_a_deal_is_associated_with_a_company_and_contacts(client, admin_user, admin_headers,
                                                         pipeline):
    acme = make_company(admin_user)
    ann, bob = make_contact(admin_user), make_contact(admin_user)
    deal = make_deal(admin_user, pipeline)

    response = client.patch(f"/api/v1/deals/{deal.pk}",
                            {"company_id": acme.pk, "contact_ids": [ann.pk, bob.pk]},
                            content_type="application/json", **admin_headers)

    assert response.status_code == 200
    assert response.json()["company_id"] == acme.pk
    assert sorted(response.json()["contact_ids"]) == sorted([ann.pk, bob.pk])


def test_moving_a_deal_to_a_won_stage_records_the_stage_change(client, admin_user,
                                                              admin_headers, pipeline):
    deal = make_deal(admin_user, pipeline)
    won = pipeline.stages.get(name="Won")

    client.patch(f"/api/v1/deals/{deal.pk}", {"stage_id": won.pk},
                 content_type="application/json", **admin_headers)

    timeline = client.get(f"/api/v1/deals/{deal.pk}/timeline", **admin_headers).json()
    assert "deal.stage_changed" in [event["kind"] for event in timeline["results"]]


def test_a_deal_list_page_costs_the_same_queries_whatever_its_size(
        client, admin_user, admin_headers, pipeline, django_assert_num_queries):
    contacts = [make_contact(admin_user) for _ in range(3)]
    for number in range(5):
        make_deal(admin_user, pipeline, name=f"Deal {number}", contacts=contacts)
    client.get("/api/v1/deals?limit=1", **admin_headers)

    with django_assert_num_queries(3):  # the key, the page, the contacts of its deals
        small = client.get("/api/v1/deals?limit=2", **admin_headers).json()
    with django_assert_num_queries(3):
        large = client.get("/api/v1/deals?limit=100", **admin_headers).json()

    assert len(small["results"]) == 2 and len(large["results"]) == 5
    assert len(large["results"][0]["contact_ids"]) == 3


def test_deals_are_filtered_by_stage(client, admin_user, admin_headers, pipeline):
    won = pipeline.stages.get(name="Won")
    make_deal(admin_user, pipeline, name="Open one")
    make_deal(admin_user, pipeline, name="Won one", stage=won)

    body = client.get(f"/api/v1/deals?stage={won.pk}", **admin_headers).json()

    assert [deal["name"] for deal in body["results"]] == ["Won one"]
    assert Deal.objects.count() == 2
