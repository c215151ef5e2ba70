"""The deal board: visible cards per column, totals and weighted totals, moving cards."""

from decimal import Decimal

import pytest

from clarion.crm import board
from clarion.crm.models import Deal
from clarion.crm.services import StaleRecord, update_record
from tests.crm import board_fixtures
from tests.crm.board_fixtures import make_deal

# Fixtures shared with the other board tests.
pipeline = board_fixtures.pipeline
stages = board_fixtures.stages

pytestmark = pytest.mark.django_db


def positions(stage) -> list[str]:
    return list(Deal.objects.filter(stage=stage).order_by("board_position", "id")
                .values_list("name", flat=True))


# --- Columns and totals ----------------------------------------------------------------------

def test_column_totals_count_sum_and_weight_by_the_stage_probability(admin_user, pipeline,
                                                                      stages):
    make_deal(admin_user, stages[0], amount="1000")   # 20 %
    make_deal(admin_user, stages[0], amount="500")
    make_deal(admin_user, stages[0], amount=None)
    make_deal(admin_user, stages[2], amount="200")    # 60 %

    columns = {column.stage.pk: column for column in board.board_columns(admin_user, pipeline)}

    first = columns[stages[0].pk]
    assert (first.count, first.total, first.weighted) == (3, Decimal("1500"), Decimal("300"))
    third = columns[stages[2].pk]
    assert (third.count, third.total, third.weighted) == (1, Decimal("200"), Decimal("120"))
    assert columns[stages[1].pk].count == 0


def test_a_user_sees_and_totals_only_the_deals_visible_to_them(admin_user, sales_user,
                                                                pipeline, stages):
    make_deal(sales_user, stages[0], name="Mine", amount="100")
    make_deal(admin_user, stages[0], name="Not mine", amount="900")

    column = board.board_columns(sales_user, pipeline)[0]

    assert [deal.name for deal in column.deals] == ["Mine"]
    assert column.total == Decimal("100")


def test_filters_narrow_by_owner_and_close_date(admin_user, sales_user, pipeline, stages):
    make_deal(admin_user, stages[0], name="Early", close_date="2026-01-10")
    make_deal(admin_user, stages[0], name="Late", close_date="2026-06-10")
    make_deal(admin_user, stages[0], name="Sam's", owner=sales_user, close_date="2026-01-12")
    filters = board.BoardFilters(owner_id=admin_user.pk, close_to=board.date(2026, 3, 1))

    column = board.board_columns(admin_user, pipeline, filters)[0]

    assert [deal.name for deal in column.deals] == ["Early"]


def test_the_board_page_costs_the_same_queries_for_many_cards(
        client, admin_user, pipeline, stages, django_assert_max_num_queries):
    for number in range(30):
        make_deal(admin_user, stages[number % 4], name=f"Deal {number}")
    client.force_login(admin_user)

    with django_assert_max_num_queries(10):
        response = client.get("/deals/board/")

    assert response.status_code == 200
    assert response.text.count('class="board-card"') == 30


def test_the_columns_fragment_renders_only_the_columns(client, admin_user, stages):
    make_deal(admin_user, stages[0], name="Fragment deal")
    client.force_login(admin_user)

    response = client.get("/deals/board/?fragment=columns")

    assert response.text.startswith('<div class="board-columns"')
    assert "Fragment deal" in response.text


def test_the_board_needs_a_right_to_view_deals(client, roles):
    from clarion.accounts.services import create_user

    support = create_user(email="help@example.com", password="x" * 12, role=roles["Support"])
    client.force_login(support)

    assert client.get("/deals/board/").status_code == 403


# --- Moving cards ----------------------------------------------------------------------------

def test_moving_to_another_stage_emits_stage_changed_and_places_between_neighbours(
        admin_user, stages):
    top = make_deal(admin_user, stages[1], name="Top")
    bottom = make_deal(admin_user, stages[1], name="Bottom")
    board.move_deal(bottom, actor=admin_user, stage=stages[1], after_id=top.pk)  # spread out
    moving = make_deal(admin_user, stages[0], name="Moving")

    board.move_deal(moving, actor=admin_user, stage=stages[1], after_id=top.pk,
                    before_id=bottom.pk, expected_version=moving.version)

    assert positions(stages[1]) == ["Top", "Moving", "Bottom"]
    from clarion.core.events.models import Event
    assert Event.objects.filter(kind="deal.stage_changed", subject_id=moving.pk).exists()


def test_neighbours_sharing_a_position_get_renumbered(admin_user, stages):
    first = make_deal(admin_user, stages[0], name="First")
    second = make_deal(admin_user, stages[0], name="Second")
    moving = make_deal(admin_user, stages[1], name="Moving")

    board.move_deal(moving, actor=admin_user, stage=stages[0], after_id=first.pk,
                    before_id=second.pk)

    assert positions(stages[0]) == ["First", "Moving", "Second"]


def test_a_move_within_a_column_changes_only_the_position(admin_user, stages):
    first = make_deal(admin_user, stages[0], name="First")
    board.move_deal(make_deal(admin_user, stages[0], name="Second"), actor=admin_user,
                    stage=stages[0], after_id=first.pk)
    second = Deal.objects.get(name="Second")

    board.move_deal(second, actor=admin_user, stage=stages[0], before_id=first.pk)

    assert positions(stages[0]) == ["Second", "First"]


def test_a_move_based_on_a_stale_version_is_refused(admin_user, stages):
    deal = make_deal(admin_user, stages[0])
    seen_version = deal.version
    update_record(deal, actor=admin_user, values={"stage": stages[1]})

    with pytest.raises(StaleRecord):
        board.move_deal(deal, actor=admin_user, stage=stages[2], expected_version=seen_version)
    assert Deal.objects.get(pk=deal.pk).stage == stages[1]


def test_the_move_endpoint_saves_and_answers_the_new_version(client, admin_user, stages):
    deal = make_deal(admin_user, stages[0])
    client.force_login(admin_user)

    response = client.post("/deals/board/move/", {
        "deal": deal.pk, "stage": stages[3].pk, "version": deal.version})

    assert response.status_code == 200
    assert response.json()["version"] == deal.version + 1
    assert Deal.objects.get(pk=deal.pk).stage == stages[3]


def test_the_move_endpoint_refuses_a_deal_the_user_may_only_view(client, roles, admin_user,
                                                                   stages):
    from clarion.accounts.services import create_user

    reader = create_user(email="read@example.com", password="x" * 12, role=roles["Read-only"])
    deal = make_deal(admin_user, stages[0])
    client.force_login(reader)

    response = client.post("/deals/board/move/", {"deal": deal.pk, "stage": stages[1].pk})

    assert response.status_code == 403
    assert "not move it" in response.json()["error"]
    assert Deal.objects.get(pk=deal.pk).stage == stages[0]


def test_the_move_endpoint_hides_deals_the_user_cannot_see(client, admin_user, sales_user,
                                                           stages):
    deal = make_deal(admin_user, stages[0])
    client.force_login(sales_user)

    response = client.post("/deals/board/move/", {"deal": deal.pk, "stage": stages[1].pk})

    assert response.status_code == 404


def test_the_move_endpoint_explains_a_stale_move(client, admin_user, stages):
    deal = make_deal(admin_user, stages[0])
    update_record(deal, actor=admin_user, values={"stage": stages[1]})
    client.force_login(admin_user)

    response = client.post("/deals/board/move/", {
        "deal": deal.pk, "stage": stages[2].pk, "version": 1})

    assert response.status_code == 409
    assert "Someone else moved" in response.json()["error"]


def test_a_stage_of_another_pipeline_is_refused(client, admin_user, stages):
    from clarion.crm.pipelines import create_pipeline

    deal = make_deal(admin_user, stages[0])
    foreign = create_pipeline(name="Other").stages.get()
    client.force_login(admin_user)

    response = client.post("/deals/board/move/", {"deal": deal.pk, "stage": foreign.pk})

    assert response.status_code == 400
