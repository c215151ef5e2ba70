"""The deal board: which deals a user sees in a pipeline's columns, the columns' totals, and
moving a card (stage and position in one transaction)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clarion.core.permissions import visible_to
from clarion.crm.models import Deal, Pipeline, Stage
from clarion.crm.services import update_record

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass
class BoardFilters:
    owner_id: int | None = None
    close_from: date | None = None
    close_to: date | None = None


@dataclass
class Column:
    stage: Stage
    deals: list = field(default_factory=list)
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.order_by("-is_default", "position", "id").first()


def board_deals(user, pipeline: Pipeline, filters: BoardFilters | None = None) -> QuerySet:
    """The pipeline's deals the user may view, narrowed by the board's filters."""
    filters = filters or BoardFilters()
    deals = visible_to(user, Deal.objects.filter(pipeline=pipeline))
    if filters.owner_id:
        deals = deals.filter(owner_id=filters.owner_id)
    if filters.close_from:
        deals = deals.filter(close_date__gte=filters.close_from)
    if filters.close_to:
        deals = deals.filter(close_date__lte=filters.close_to)
    return deals


def column_totals(deals: QuerySet) -> dict[int, dict]:
    """Count, total and probability-weighted total per stage, in one aggregate query."""
    weighted = ExpressionWrapper(F("amount") * F("stage__probability") / 100,
                                 output_field=MONEY)
    rows = (deals.order_by().values("stage_id")
            .annotate(count=Count("id"), total=Coalesce(Sum("amount"), ZERO, output_field=MONEY),
                      weighted=Coalesce(Sum(weighted), ZERO, output_field=MONEY)))
    return {row["stage_id"]: row for row in rows}


def board_columns(user, pipeline: Pipeline, filters: BoardFilters | None = None) -> list[Column]:
    """The pipeline's stages in order, each with its cards and totals (three queries)."""
    deals = board_deals(user, pipeline, filters)
    columns = {stage.pk: Column(stage=stage) for stage in pipeline.stages.order_by("position")}
    for row_stage, row in column_totals(deals).items():
        column = columns.get(row_stage)
        if column:
            column.count, column.total = row["count"], row["total"]
            column.weighted = Decimal(row["weighted"]).quantize(Decimal("0.01"))
    cards = deals.select_related("company", "owner").order_by("board_position", "id")
    for deal in cards:
        columns[deal.stage_id].deals.append(deal)
    return list(columns.values())


def board_card(user, deal_id: int) -> Deal | None:
    return (visible_to(user, Deal.objects.filter(pk=deal_id))
            .select_related("company", "owner", "stage").first())


class InvalidMove(Exception):
    """The target stage or neighbour is not where the card is being dropped."""


def _renumber(stage: Stage) -> None:
    """Spread the column's cards out again (1, 2, 3 …) when neighbours share a position."""
    deals = list(Deal.objects.filter(stage=stage).order_by("board_position", "id"))
    for index, deal in enumerate(deals, start=1):
        deal.board_position = float(index)
    Deal.objects.bulk_update(deals, ["board_position"])


def _neighbour(stage: Stage, deal_id: int | None, moving: Deal) -> Deal | None:
    if deal_id is None:
        return None
    neighbour = Deal.objects.filter(pk=deal_id, stage=stage).exclude(pk=moving.pk).first()
    if neighbour is None:
        raise InvalidMove(_("The neighbouring card is not in that column any more."))
    return neighbour


def _position_between(stage: Stage, moving: Deal, after_id: int | None,
                      before_id: int | None) -> float | None:
    """A position between the card above (`after_id`) and below (`before_id`); None when
    they are too close together to fit one between."""
    above = _neighbour(stage, after_id, moving)
    below = _neighbour(stage, before_id, moving)
    if above and below:
        if below.board_position - above.board_position < 1e-6:
            return None
        return (above.board_position + below.board_position) / 2
    if above:
        return above.board_position + 1
    if below:
        return below.board_position - 1
    others = Deal.objects.filter(stage=stage).exclude(pk=moving.pk).order_by("-board_position")
    last = others.values_list("board_position", flat=True).first()
    return 0.0 if last is None else last + 1


@transaction.atomic
def move_deal(deal: Deal, *, actor, stage: Stage, after_id: int | None = None,
              before_id: int | None = None, expected_version: int | None = None) -> Deal:
    """Put `deal` in `stage` between the cards `after_id` (above) and `before_id` (below).

    The stage change goes through `update_record` (so `deal.stage_changed` is emitted and a
    stale `expected_version` raises StaleRecord); the position is the midpoint between the
    neighbours, the column being renumbered when they leave no room."""
    if stage.pipeline_id != deal.pipeline_id:
        raise InvalidMove(_("The stage belongs to another pipeline."))
    deal = update_record(deal, actor=actor, values={"stage": stage},
                         expected_version=expected_version)
    position = _position_between(stage, deal, after_id, before_id)
    if position is None:
        _renumber(stage)
        position = _position_between(stage, deal, after_id, before_id)
    Deal.objects.filter(pk=deal.pk).update(board_position=position)
    deal.board_position = position
    return deal
