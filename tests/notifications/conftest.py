import pytest

from clarion.crm.models import Contact, Deal, Pipeline


@pytest.fixture
def pipeline(db):
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def make_deal(pipeline):
    def make(name: str, owner) -> Deal:
        return Deal.objects.create(name=name, pipeline=pipeline, stage=pipeline.stages.first(),
                                   owner=owner)

    return make


@pytest.fixture
def private_deal(make_deal, admin_user):
    """A deal only its owner (and people who see all deals) may open."""
    return make_deal("Secret merger", admin_user)


@pytest.fixture
def contact(admin_user):
    return Contact.objects.create(email="pat@example.com", first_name="Pat", owner=admin_user)
