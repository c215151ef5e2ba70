"""Every write to pipelines and their stages (settings → Pipelines). One transaction each."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from clarion.crm.models import Deal, Pipeline, Stage


class PipelineInUse(Exception):
    """A pipeline or stage that still holds deals cannot be deleted."""


def _next_position(queryset) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def create_pipeline(*, name: str) -> Pipeline:
    """A new pipeline, last in the list, with one open stage to start from."""
    is_first = not Pipeline.objects.exists()
    pipeline = Pipeline.objects.create(name=name, position=_next_position(Pipeline.objects),
                                       is_default=is_first)
    Stage.objects.create(pipeline=pipeline, name=_("New stage"), position=0, probability=10)
    return pipeline


@transaction.atomic
def rename_pipeline(pipeline: Pipeline, *, name: str) -> Pipeline:
    pipeline.name = name
    pipeline.save(update_fields=["name"])
    return pipeline


@transaction.atomic
def make_default_pipeline(pipeline: Pipeline) -> Pipeline:
    Pipeline.objects.exclude(pk=pipeline.pk).update(is_default=False)
    Pipeline.objects.filter(pk=pipeline.pk).update(is_default=True)
    pipeline.is_default = True
    return pipeline


@transaction.atomic
def delete_pipeline(pipeline: Pipeline) -> None:
    """Refuses while any deal is in the pipeline; the default passes to the first left."""
    deal_count = Deal.objects.filter(pipeline=pipeline).count()
    if deal_count:
        raise PipelineInUse(
            _("“%(name)s” still holds %(count)d deal(s); move or delete them first.")
            % {"name": pipeline.name, "count": deal_count})
    pipeline.delete()
    if pipeline.is_default:
        first = Pipeline.objects.order_by("position", "id").first()
        if first:
            make_default_pipeline(first)


def _reorder(model, ids: list[int], **scope) -> None:
    rows = {row.pk: row for row in model.objects.filter(pk__in=ids, **scope)}
    if set(rows) != set(ids) or len(ids) != model.objects.filter(**scope).count():
        raise ValueError(_("The new order must list every item exactly once."))
    for position, pk in enumerate(ids):
        rows[pk].position = position
    model.objects.bulk_update(rows.values(), ["position"])


@transaction.atomic
def reorder_pipelines(ids: list[int]) -> None:
    _reorder(Pipeline, ids)


@transaction.atomic
def move_pipeline(pipeline: Pipeline, *, offset: int) -> None:
    """Move one place up (-1) or down (+1)."""
    ids = list(Pipeline.objects.values_list("pk", flat=True))
    _reorder(Pipeline, _shifted(ids, pipeline.pk, offset))


def _shifted(ids: list[int], pk: int, offset: int) -> list[int]:
    index = ids.index(pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return ids


def _check_probability(probability: int) -> None:
    if not 0 <= probability <= 100:
        raise ValueError(_("The win probability is a percentage from 0 to 100."))


@transaction.atomic
def add_stage(pipeline: Pipeline, *, name: str, probability: int,
              outcome: str = Stage.Outcome.OPEN) -> Stage:
    _check_probability(probability)
    return Stage.objects.create(pipeline=pipeline, name=name, probability=probability,
                                outcome=outcome, position=_next_position(pipeline.stages))


@transaction.atomic
def update_stage(stage: Stage, *, name: str, probability: int, outcome: str) -> Stage:
    _check_probability(probability)
    stage.name, stage.probability, stage.outcome = name, probability, outcome
    stage.save(update_fields=["name", "probability", "outcome"])
    return stage


@transaction.atomic
def reorder_stages(pipeline: Pipeline, ids: list[int]) -> None:
    _reorder(Stage, ids, pipeline=pipeline)


@transaction.atomic
def move_stage(stage: Stage, *, offset: int) -> None:
    ids = list(stage.pipeline.stages.values_list("pk", flat=True))
    _reorder(Stage, _shifted(ids, stage.pk, offset), pipeline_id=stage.pipeline_id)


@transaction.atomic
def delete_stage(stage: Stage, *, actor=None, move_deals_to: Stage | None = None) -> None:
    """Deletes an empty stage; with `move_deals_to`, first moves its deals there (through
    the record service, so each move is on the deal's timeline). The last stage stays."""
    from clarion.crm.services import update_record

    if stage.pipeline.stages.count() <= 1:
        raise PipelineInUse(_("A pipeline needs at least one stage."))
    deals = list(Deal.objects.filter(stage=stage).select_related("stage"))
    if deals and move_deals_to is None:
        raise PipelineInUse(
            _("“%(name)s” still holds %(count)d deal(s); choose a stage to move them to.")
            % {"name": stage.name, "count": len(deals)})
    if move_deals_to is not None and move_deals_to.pipeline_id != stage.pipeline_id:
        raise PipelineInUse(_("Deals can only move to a stage of the same pipeline."))
    for deal in deals:
        update_record(deal, actor=actor, values={"stage": move_deals_to})
    stage.delete()
