import pytest

from clarion.crm.models import Contact, Deal, Pipeline
from tests.browser.conftest import asgi_url, browser, live_url, page  # noqa: F401  (browser fixtures)


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


@pytest.fixture
def shared_deal(make_deal, admin_user):
    return make_deal("Website relaunch", admin_user)


@pytest.fixture
def other_deal(make_deal, admin_user):
    return make_deal("Acquisition talks", admin_user)


@pytest.fixture
def guest_grant(admin_user, shared_deal):
    from clarion.accounts.guests import share_with_guest

    return share_with_guest(actor=admin_user, target=shared_deal, email="designer@example.com",
                            first_name="Gia")


@pytest.fixture
def guest(guest_grant):
    guest = guest_grant.user
    guest.set_password("correct horse battery")
    guest.save()
    return guest


@pytest.fixture
def guest_client(client, guest):
    client.force_login(guest)
    return client
