"""Fixtures shared by the CRM API tests: users with keys, and records owned by them."""

import pytest

from clarion.accounts.services import create_user
from clarion.api.services import create_api_key
from clarion.crm.models import Company, Contact, Deal, Pipeline, Stage
from clarion.crm.services import create_record

# The fixtures, for `from tests.crm.api_support import *` in the test modules.
__all__ = ["admin_headers", "sales_headers", "other_sales_user", "pipeline"]

ALL_SCOPES = ("contacts:read", "contacts:write", "companies:read", "companies:write",
              "deals:read", "deals:write")


def key_for(user, *scopes: str) -> dict:
    """Request headers authenticating as `user` with a key carrying `scopes` (the user's role
    gains `api.manage`, which every key's owner needs)."""
    if "api.manage" not in user.role.capabilities:
        user.role.capabilities.append("api.manage")
        user.role.save(update_fields=["capabilities"])
    user.__dict__.pop("_clarion_capabilities", None)
    _key, secret = create_api_key(user=user, name="Test key", scopes=list(scopes or ALL_SCOPES))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def admin_headers(admin_user):
    return key_for(admin_user)


@pytest.fixture
def sales_headers(sales_user):
    return key_for(sales_user)


@pytest.fixture
def other_sales_user(roles):
    return create_user(email="pat@example.com", password="correct horse battery",
                       first_name="Pat", role=roles["Sales"])


@pytest.fixture
def pipeline(db):
    Pipeline.objects.update(is_default=False)
    pipeline = Pipeline.objects.create(name="Sales", is_default=True)
    Stage.objects.create(pipeline=pipeline, name="New", position=0, probability=10)
    Stage.objects.create(pipeline=pipeline, name="Won", position=1, probability=100,
                         outcome=Stage.Outcome.WON)
    return pipeline


def make_contact(owner, **values) -> Contact:
    values.setdefault("email", f"{values.get('first_name', 'c')}{Contact.objects.count()}"
                               "@example.com".lower())
    return create_record(Contact, actor=owner, values={"owner": owner, **values})


def make_company(owner, **values) -> Company:
    values.setdefault("name", "Acme")
    return create_record(Company, actor=owner, values={"owner": owner, **values})


def make_deal(owner, pipeline, **values) -> Deal:
    values.setdefault("name", "Big deal")
    return create_record(Deal, actor=owner, values={
        "owner": owner, "pipeline": pipeline, "stage": pipeline.stages.first(), **values})
