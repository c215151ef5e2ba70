"""A contact's timeline holds events about its deals and companies too; a viewer only sees
those about records they may see."""

import pytest
from django.db import transaction

from clarion.core.events import emit
from clarion.crm.models import Contact, Deal, Pipeline
from clarion.crm.timeline import timeline_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_with_a_private_deal(admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    contact = Contact.objects.create(email="shared@example.com", owner=admin_user)
    deal = Deal.objects.create(name="Secret merger", pipeline=pipeline,
                               stage=pipeline.stages.first(), owner=admin_user)
    with transaction.atomic():
        emit("contact.created", contact_id=contact.pk, subject=contact, actor=admin_user)
        emit("deal.contact_added", contact_id=contact.pk, subject=deal, actor=admin_user,
             data={"deal": deal.name})
    return contact


def kinds_seen(contact, viewer) -> list[str]:
    events, _older = timeline_page(contact, viewer=viewer)
    return [event.kind for event in events]


def test_events_about_a_deal_the_viewer_cannot_see_are_left_out(contact_with_a_private_deal,
                                                                 sales_user):
    assert kinds_seen(contact_with_a_private_deal, sales_user) == ["contact.created"]


def test_a_viewer_who_sees_every_deal_sees_the_whole_timeline(contact_with_a_private_deal,
                                                              admin_user):
    assert kinds_seen(contact_with_a_private_deal, admin_user) == ["deal.contact_added",
                                                                    "contact.created"]


def test_the_api_timeline_leaves_out_the_same_events(client, contact_with_a_private_deal,
                                                     sales_user):
    from clarion.accounts.models import APIKey, hash_secret

    sales_user.role.capabilities = [*sales_user.role.capabilities, "api.manage"]
    sales_user.role.save()
    prefix, secret = APIKey.generate_secret()
    APIKey.objects.create(name="t", user=sales_user, prefix=prefix,
                          key_hash=hash_secret(secret), scopes=["contacts:read"])

    response = client.get(f"/api/v1/contacts/{contact_with_a_private_deal.pk}/timeline",
                          headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 200
    assert [event["kind"] for event in response.json()["results"]] == ["contact.created"]
