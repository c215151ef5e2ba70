"""Merging two contacts keeps the loser's consent: its log and its subscriptions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.crm.merge import merge_records
from clarion.subscriptions import services
from clarion.subscriptions.models import ConsentRecord, Subscription

from .support import make_contact, make_type

pytestmark = pytest.mark.django_db


def test_merge_moves_consent_to_the_survivor(admin_user):
    news, offers, events = make_type("News"), make_type("Offers"), make_type("Events")
    keep = make_contact(email="kim@example.org", first_name="Kim")
    lose = make_contact(email="kim.old@example.org", first_name="Kim")
    services.subscribe(keep, news, method="form")
    services.unsubscribe(lose, news, method="one_click")  # later: the latest word
    services.subscribe(lose, offers, method="form", text="Yes please")
    services.unsubscribe(keep, events, method="manual")
    services.subscribe(lose, events, method="form")
    Subscription.objects.filter(contact=lose, subscription_type=events).update(
        updated_at=timezone.now() - timedelta(days=3))  # older than the survivor's

    merge_records(keep, lose, actor=admin_user, choices={})

    states = dict(Subscription.objects.filter(contact=keep).values_list(
        "subscription_type__name", "status"))
    assert states == {"News": "unsubscribed", "Offers": "subscribed",
                      "Events": "unsubscribed"}
    assert ConsentRecord.objects.filter(contact=keep).count() == 5
    assert ConsentRecord.objects.get(text="Yes please").email == "kim.old@example.org"
    assert not ConsentRecord.objects.filter(contact__isnull=True).exists()
