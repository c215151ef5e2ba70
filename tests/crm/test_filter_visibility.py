"""Association conditions only consider associated records the user may see."""

import pytest

from clarion.core.filters import filter_queryset
from clarion.crm.models import Contact, Deal, Pipeline

pytestmark = pytest.mark.django_db

BIG_DEAL = {"association": "deals", "where": {"property": "amount", "op": "gt",
                                               "value": 1_000_000}}


@pytest.fixture
def contact_on_a_private_big_deal(admin_user):
    pipeline = Pipeline.objects.get(is_default=True)
    contact = Contact.objects.create(email="vip@example.com", owner=admin_user)
    deal = Deal.objects.create(name="Secret merger", amount=5_000_000, pipeline=pipeline,
                               stage=pipeline.stages.first(), owner=admin_user)
    deal.contacts.add(contact)
    return contact


def test_a_filter_cannot_probe_deals_the_user_may_not_see(contact_on_a_private_big_deal,
                                                          sales_user):
    found = filter_queryset(Contact.objects.all(), BIG_DEAL, user=sales_user)

    assert list(found) == []


def test_the_same_filter_finds_the_contact_for_someone_who_sees_the_deal(
        contact_on_a_private_big_deal, admin_user):
    found = filter_queryset(Contact.objects.all(), BIG_DEAL, user=admin_user)

    assert list(found) == [contact_on_a_private_big_deal]
