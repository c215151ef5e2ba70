"""Two schedulers (or workers) at once on PostgreSQL, each thread with its own connection:
a scheduled campaign launches once and an A/B winner is picked once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clarion.campaigns import services
from clarion.campaigns.models import Campaign
from clarion.core.events.models import Event
from clarion.sending.models import Message, Send
from tests.campaigns.support import make_list, people, ready_campaign
from tests.core.test_events_concurrency import run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def events(kind: str, campaign: Campaign) -> int:
    return Event.objects.filter(kind=kind, subject_id=campaign.pk,
                                subject_type__model="campaign").count()


def test_concurrent_schedulers_launch_a_scheduled_campaign_once(admin_user):
    at = timezone.now() + timedelta(minutes=5)
    campaign = services.launch(ready_campaign(
        admin_user, [make_list("All", people(30))], schedule=Campaign.Schedule.AT,
        scheduled_for=at), actor=admin_user)
    launched = []

    run_in_threads(4, lambda: launched.append(services.launch_due(now=at)))

    assert sorted(launched) == [0, 0, 0, 1]
    assert Send.objects.count() == 1
    assert Message.objects.count() == 30
    assert events("campaign.launched", campaign) == 1


def test_concurrent_workers_pick_an_ab_winner_once(admin_user):
    campaign = ready_campaign(admin_user, [make_list("All", people(40))], ab_test="subject",
                              test_percent=50, winner_wait=timedelta(hours=1))
    services.set_variants(campaign, [{"subject": "A"}, {"subject": "B"}], actor=admin_user)
    campaign = services.launch(campaign, actor=admin_user)
    Message.objects.filter(status="queued").update(status="sent")
    decided = []

    run_in_threads(4, lambda: decided.append(
        services.decide_due_winners(now=timezone.now() + timedelta(hours=2))))

    assert sorted(decided) == [0, 0, 0, 1]
    assert events("campaign.winner_picked", campaign) == 1
    campaign.refresh_from_db()
    assert Message.objects.filter(status="held").count() == 0
    # The 20 held recipients now get the winner (a worker may already be delivering them).
    assert Message.objects.filter(variant=campaign.winner_variant).count() == 30
