"""Shared arrangements for the board, pipeline and live-update tests."""

import importlib
from decimal import Decimal

import pytest

from clarion.accounts.services import create_user
from clarion.crm.models import Deal, Pipeline, Stage
from clarion.crm.services import create_record

PASSWORD = "correct horse battery"


def make_deal(actor, stage: Stage, name: str = "Deal", amount: str | None = "1000",
              owner=None, **values) -> Deal:
    return create_record(Deal, actor=actor, values={
        "name": name, "pipeline": stage.pipeline, "stage": stage, "owner": owner or actor,
        "amount": Decimal(amount) if amount is not None else None, **values})


def default_pipeline() -> Pipeline:
    """The pipeline the migrations create (made again after a transactional test's flush)."""
    existing = Pipeline.objects.filter(is_default=True).first()
    if existing:
        return existing
    migration = importlib.import_module("clarion.crm.migrations.0002_default_pipeline")
    pipeline = Pipeline.objects.create(name="Sales pipeline", is_default=True)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=name, position=position, probability=probability,
              outcome=outcome)
        for position, (name, probability, outcome) in enumerate(migration.STAGES))
    return pipeline


@pytest.fixture
def pipeline(db) -> Pipeline:
    return default_pipeline()


@pytest.fixture
def stages(pipeline) -> list[Stage]:
    return list(pipeline.stages.order_by("position"))


@pytest.fixture
def other_sales_user(roles):
    return create_user(email="sky@example.com", password=PASSWORD, first_name="Sky",
                       role=roles["Sales"])
