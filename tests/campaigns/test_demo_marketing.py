"""The marketing demo: sent campaigns with plausible results, an A/B test with its winner, a
scheduled campaign, email events on the contacts' timelines; loaded by `clarion demo` and
loadable twice."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from clarion.accounts.models import User
from clarion.campaigns.demo import load_demo
from clarion.campaigns.models import Campaign
from clarion.campaigns.reports import campaign_report, clicks_per_link
from clarion.core.events.models import Event
from clarion.sending.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", stdout=None)


def test_the_demo_sends_campaigns_with_plausible_results(demo):
    sent = Campaign.objects.filter(status=Campaign.Status.SENT).select_related("send")
    assert sent.count() == 3
    for campaign in sent:
        totals = campaign_report(campaign).totals
        assert totals.sent >= 8, campaign.name
        assert 20 <= totals.open_rate <= 75, (campaign.name, totals.open_rate)
        assert 0 < totals.click_to_open_rate <= 80, campaign.name
        assert totals.bounce_rate < 15 and totals.machine_opened > 0
        assert clicks_per_link(campaign.send), campaign.name
    # Nothing is left for a worker to deliver, and later sends leave out earlier bounces
    # and unsubscribes for the right reason.
    assert not Message.objects.exclude(status__in=["sent", "skipped"]).exists()
    skipped = set(Message.objects.filter(status="skipped").values_list("reason", flat=True))
    assert {"suppressed", "unsubscribed"} <= skipped
    assert Campaign.objects.filter(status=Campaign.Status.SCHEDULED, send=None).count() == 1
    for kind in ("email.sent", "email.opened", "email.clicked", "email.bounced",
                 "email.unsubscribed"):
        assert Event.objects.filter(kind=kind, contact_id__isnull=False).exists(), kind
    opened = Event.objects.filter(kind="email.opened", data__has_key="message_id").first()
    assert {"send_id", "message_id", "campaign_id"} <= set(opened.data)


def test_the_demo_ab_test_has_a_winner_whose_variant_went_to_the_rest(demo):
    campaign = Campaign.objects.select_related("send").get(ab_test=Campaign.ABTest.SUBJECT)
    report = campaign_report(campaign)
    assert len(report.variants) == 2
    [winner] = [v for v in report.variants if v.is_winner]
    assert winner.position == campaign.winner_result["winner"]
    loser = report.variants[1 - winner.position]
    assert winner.numbers.sent > loser.numbers.sent


def test_the_demo_report_renders_and_loading_again_changes_nothing(demo, client):
    client.force_login(User.objects.filter(is_superuser=True).first())
    campaign = Campaign.objects.filter(status=Campaign.Status.SENT).first()
    response = client.get(reverse("campaign_reports:report", args=[campaign.pk]))
    assert response.status_code == 200
    assert response.context["totals"].open_rate > 0
    before = Message.objects.count()
    assert load_demo(list(User.objects.all())) == ""
    assert Message.objects.count() == before and Campaign.objects.count() == 4
