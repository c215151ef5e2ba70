"""Settings → Pipelines: pipelines and stages, their order, and deleting only what is empty."""

import pytest

from clarion.crm import pipelines
from clarion.crm.models import Deal, Pipeline, Stage
from tests.crm import board_fixtures
from tests.crm.board_fixtures import make_deal

# Fixtures shared with the other board tests.
pipeline = board_fixtures.pipeline
stages = board_fixtures.stages

pytestmark = pytest.mark.django_db


def test_a_new_pipeline_goes_last_with_one_open_stage():
    created = pipelines.create_pipeline(name="Renewals")

    assert list(Pipeline.objects.all())[-1] == created
    assert [stage.outcome for stage in created.stages.all()] == [Stage.Outcome.OPEN]


def test_a_pipeline_holding_deals_cannot_be_deleted(admin_user, pipeline, stages):
    make_deal(admin_user, stages[0])

    with pytest.raises(pipelines.PipelineInUse, match="still holds 1 deal"):
        pipelines.delete_pipeline(pipeline)
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_deleting_the_default_pipeline_makes_the_first_remaining_one_default(pipeline):
    other = pipelines.create_pipeline(name="Renewals")

    pipelines.delete_pipeline(pipeline)

    other.refresh_from_db()
    assert other.is_default


def test_pipelines_move_up_and_down(pipeline):
    other = pipelines.create_pipeline(name="Renewals")

    pipelines.move_pipeline(other, offset=-1)

    assert list(Pipeline.objects.all()) == [other, pipeline]


def test_stages_reorder_to_the_given_ids(pipeline, stages):
    reversed_ids = [stage.pk for stage in reversed(stages)]

    pipelines.reorder_stages(pipeline, reversed_ids)

    assert list(pipeline.stages.order_by("position").values_list("pk", flat=True)) == reversed_ids


def test_a_reorder_must_name_every_stage_once(pipeline, stages):
    with pytest.raises(ValueError):
        pipelines.reorder_stages(pipeline, [stages[0].pk])


def test_a_stage_moves_down_one_place(stages):
    pipelines.move_stage(stages[0], offset=1)

    assert stages[0].pipeline.stages.order_by("position")[1] == stages[0]


def test_a_stage_holding_deals_is_deleted_only_after_moving_them(admin_user, stages):
    deal = make_deal(admin_user, stages[0])

    with pytest.raises(pipelines.PipelineInUse, match="choose a stage"):
        pipelines.delete_stage(stages[0], actor=admin_user)
    pipelines.delete_stage(stages[0], actor=admin_user, move_deals_to=stages[1])

    assert Deal.objects.get(pk=deal.pk).stage == stages[1]
    assert not Stage.objects.filter(pk=stages[0].pk).exists()


def test_a_stage_probability_outside_0_to_100_is_refused(stages):
    with pytest.raises(ValueError):
        pipelines.update_stage(stages[0], name="X", probability=120, outcome="open")


# --- The settings pages ---------------------------------------------------------------------

def test_the_pipelines_page_needs_the_settings_capability(client, sales_user):
    client.force_login(sales_user)

    assert client.get("/settings/pipelines/").status_code == 403


def test_the_pipelines_page_lists_pipelines_in_bounded_queries(
        client, admin_user, django_assert_max_num_queries):
    for number in range(5):
        pipelines.create_pipeline(name=f"Pipeline {number}")
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        response = client.get("/settings/pipelines/")

    assert response.status_code == 200
    assert "Pipeline 4" in response.text
    assert 'href="/settings/pipelines/"' in response.text


def test_creating_a_pipeline_from_the_page_opens_its_stages(client, admin_user):
    client.force_login(admin_user)

    response = client.post("/settings/pipelines/", {"new-name": "Partners"})

    created = Pipeline.objects.get(name="Partners")
    assert response.url == f"/settings/pipelines/{created.pk}/"


def test_deleting_a_pipeline_in_use_shows_why_it_was_refused(client, admin_user, pipeline,
                                                              stages):
    make_deal(admin_user, stages[0])
    client.force_login(admin_user)

    response = client.post(f"/settings/pipelines/{pipeline.pk}/delete/", follow=True)

    assert "still holds 1 deal" in response.text
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_a_stage_is_edited_from_the_pipeline_page(client, admin_user, pipeline, stages):
    client.force_login(admin_user)
    prefix = f"stage-{stages[0].pk}"

    client.post(f"/settings/pipelines/stages/{stages[0].pk}/", {
        f"{prefix}-name": "Discovery", f"{prefix}-probability": "15",
        f"{prefix}-outcome": "open"})

    stages[0].refresh_from_db()
    assert (stages[0].name, stages[0].probability) == ("Discovery", 15)
    page = client.get(f"/settings/pipelines/{pipeline.pk}/")
    assert "Discovery" in page.text


def test_stages_are_reordered_by_drag_and_drop_posts(client, admin_user, pipeline, stages):
    client.force_login(admin_user)
    order = [stage.pk for stage in reversed(stages)]

    response = client.post(f"/settings/pipelines/{pipeline.pk}/stages/reorder/",
                           {"order": order})

    assert response.json() == {"ok": True}
    assert list(pipeline.stages.order_by("position").values_list("pk", flat=True)) == order


def test_a_stage_is_added_with_its_probability_and_outcome(client, admin_user, pipeline):
    client.force_login(admin_user)

    client.post(f"/settings/pipelines/{pipeline.pk}/stages/", {
        "new-stage-name": "Negotiation", "new-stage-probability": "70",
        "new-stage-outcome": "open"})

    stage = pipeline.stages.order_by("position").last()
    assert (stage.name, stage.probability) == ("Negotiation", 70)


def test_a_pipeline_page_shows_many_stages_in_bounded_queries(
        client, admin_user, pipeline, django_assert_max_num_queries):
    for number in range(10):
        pipelines.add_stage(pipeline, name=f"Extra {number}", probability=number * 10)
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        response = client.get(f"/settings/pipelines/{pipeline.pk}/")

    assert "Extra 9" in response.text
