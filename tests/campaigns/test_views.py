"""The campaign pages: only marketers get in; the list reads its rates in a fixed number of
queries; the editor saves drafts, estimates recipients live and refuses launches the
checklist blocks; a launched campaign shows its progress and its actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clarion.accounts.services import create_user
from clarion.campaigns import services
from clarion.campaigns.models import Campaign
from clarion.subscriptions.services import unsubscribe
from tests.campaigns.support import (
    make_email,
    make_list,
    marketing_type,
    messages_of,
    people,
    ready_campaign,
)

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password=PASSWORD, first_name="Mia",
                       role=roles["Marketing"])


@pytest.fixture
def signed_in(client, marketer):
    client.force_login(marketer)
    return client


def editor_post(campaign, **changes) -> dict:
    data = {"version": campaign.version, "name": campaign.name,
            "email": campaign.email_id or "", "sender": campaign.sender_id or "",
            "subscription_type": campaign.subscription_type_id or "",
            "include_segments": [s.pk for s in campaign.include_segments.all()],
            "exclude_segments": [], "track_opens": "on", "track_clicks": "on",
            "schedule": "now", "send_at": "", "fallback_time_zone": "UTC", "ab_test": "none",
            "test_percent": 20, "winner_metric": "opens", "winner_wait_hours": 4}
    data.update(changes)
    return data


# --- who gets in ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["Sales", "Read-only"])
def test_people_without_marketing_get_403_everywhere(client, roles, marketer, role):
    campaign = ready_campaign(marketer, [make_list("All", people(1))])
    other = create_user(email="o@example.com", password=PASSWORD, role=roles[role])
    client.force_login(other)
    assert client.get(reverse("campaigns:new")).status_code == 403
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 403
    for action in ("launch", "pause", "resume", "cancel", "delete"):
        assert client.post(reverse(f"campaigns:{action}", args=[campaign.pk])).status_code \
            == 403
    assert client.post(reverse("campaigns:estimate")).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_the_section_page_explains_itself_to_people_without_marketing(client, sales_user,
                                                                     marketer):
    ready_campaign(marketer, [], name="Secret plans")
    client.force_login(sales_user)
    page = client.get(reverse("campaigns:list"))
    assert page.status_code == 200
    assert "Marketing email is not part of your role" in page.text
    assert "Secret plans" not in page.text


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("campaigns:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_email_section_opens_on_the_campaign_list(signed_in):
    page = signed_in.get("/")
    assert reverse("campaigns:list") in page.text


# --- the list ------------------------------------------------------------------------------------

def test_the_list_shows_rates_from_one_grouped_query(signed_in, marketer):
    for n in range(3):
        campaign = services.launch(ready_campaign(marketer, [make_list(f"L{n}", people(
            4, prefix=f"c{n}x"))], name=f"Campaign {n}"), actor=marketer)
        rows = list(messages_of(campaign))
        messages_of(campaign).update(status="sent", sent_at=timezone.now())
        messages_of(campaign).filter(pk__in=[m.pk for m in rows[:n + 1]]).update(
            opened_at=timezone.now())
        messages_of(campaign).filter(pk=rows[0].pk).update(clicked_at=timezone.now())
    signed_in.get(reverse("campaigns:list"))  # warm the session and caches

    with CaptureQueriesContext(connection) as few:
        page = signed_in.get(reverse("campaigns:list"))
    ready_campaign(marketer, [], name="Another draft")
    with CaptureQueriesContext(connection) as more:
        signed_in.get(reverse("campaigns:list"))

    assert page.status_code == 200
    assert len(more) == len(few) <= 10
    text = page.text
    assert "Campaign 2" in text and "75 %" in text and "25 %" in text  # 3/4 opened, 1/4 clicked


def test_the_list_filters_by_status_and_searches(signed_in, marketer):
    ready_campaign(marketer, [], name="Autumn draft")
    services.launch(ready_campaign(marketer, [make_list("All", people(1))], name="Spring sent"),
                    actor=marketer)
    page = signed_in.get(reverse("campaigns:list"), {"status": "draft"})
    assert "Autumn draft" in page.text and "Spring sent" not in page.text
    page = signed_in.get(reverse("campaigns:list"), {"q": "spring sent"})
    assert "Spring sent" in page.text and "Autumn draft" not in page.text


# --- the editor ----------------------------------------------------------------------------------

def test_a_new_campaign_starts_with_the_default_sender_and_type(signed_in, marketer):
    ready_campaign(marketer, [])  # makes the sender and type
    response = signed_in.post(reverse("campaigns:new"), {"name": "Launch week"})
    campaign = Campaign.objects.get(name="Launch week")
    assert response.url == campaign.get_absolute_url()
    assert campaign.sender is not None and campaign.subscription_type == marketing_type()
    page = signed_in.get(response.url)
    assert page.status_code == 200 and "Choose the email to send." in page.text


def test_saving_the_editor_changes_the_draft(signed_in, marketer):
    campaign = ready_campaign(marketer, [])
    segment = make_list("Customers", people(2))
    response = signed_in.post(campaign.get_absolute_url(), editor_post(
        campaign, name="Renamed", include_segments=[segment.pk], track_clicks=""))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Renamed" and not campaign.track_clicks
    assert list(campaign.include_segments.all()) == [segment]
    page = signed_in.get(campaign.get_absolute_url())
    assert "Everything is ready." in page.text


def test_a_time_is_read_in_the_users_time_zone(signed_in, marketer):
    campaign = ready_campaign(marketer, [])
    signed_in.cookies["clarion_tz"] = "Asia/Tokyo"
    signed_in.post(campaign.get_absolute_url(), editor_post(
        campaign, schedule="at", send_at="2031-01-10T09:30"))
    campaign.refresh_from_db()
    assert campaign.scheduled_for.isoformat() == "2031-01-10T00:30:00+00:00"


def test_an_unknown_fallback_zone_is_refused(signed_in, marketer):
    campaign = ready_campaign(marketer, [])
    page = signed_in.post(campaign.get_absolute_url(), editor_post(
        campaign, schedule="recipient_time", send_at="2031-01-10T09:30",
        fallback_time_zone="Mars/Olympus"))
    assert page.status_code == 200 and "is not a time zone name" in page.text


def test_subject_variants_are_saved_from_the_editor(signed_in, marketer):
    campaign = ready_campaign(marketer, [])
    signed_in.post(campaign.get_absolute_url(), editor_post(
        campaign, ab_test="subject", variant_subject_0="One", variant_subject_1="Two",
        variant_subject_2=""))
    assert [v.subject for v in campaign.variants.all()] == ["One", "Two"]


def test_the_live_estimate_counts_distinct_contacts_and_reasons(signed_in):
    shared, other, gone = people(3)
    unsubscribe(gone, marketing_type(), method="manual")
    first, second = make_list("A", [shared, other]), make_list("B", [shared, gone])
    left_out = make_list("Out", [other])
    page = signed_in.post(reverse("campaigns:estimate"), {
        "include_segments": [first.pk, second.pk], "exclude_segments": [left_out.pk],
        "subscription_type": marketing_type().pk})
    assert "1 contact will receive it" in page.text
    assert "Unsubscribed from this type" in page.text
    assert "In a segment you leave out" in page.text


def test_a_blocked_launch_is_refused_with_its_reasons(signed_in, marketer):
    campaign = ready_campaign(marketer, [make_list("All", people(1))],
                              email=make_email(footer=False))
    response = signed_in.post(reverse("campaigns:launch", args=[campaign.pk]), follow=True)
    assert "footer" in response.text
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_editing_a_launched_campaign_is_refused(signed_in, marketer):
    campaign = services.launch(ready_campaign(marketer, [make_list("All", people(1))]),
                               actor=marketer)
    response = signed_in.post(campaign.get_absolute_url(), editor_post(campaign, name="X"))
    assert response.status_code == 200  # the status page, not the editor
    campaign.refresh_from_db()
    assert campaign.name == "Spring campaign"


# --- launched ------------------------------------------------------------------------------------

def test_launch_then_pause_resume_and_cancel_from_the_page(signed_in, marketer):
    campaign = ready_campaign(marketer, [make_list("All", people(2))])
    signed_in.post(reverse("campaigns:launch", args=[campaign.pk]))
    page = signed_in.get(campaign.get_absolute_url())
    assert "Progress" in page.text and reverse("campaigns:pause", args=[campaign.pk]) in page.text
    assert 'hx-trigger="every 3s"' in page.text

    signed_in.post(reverse("campaigns:pause", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == "paused"
    signed_in.post(reverse("campaigns:resume", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == "sending"
    signed_in.post(reverse("campaigns:cancel", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == "cancelled"
    page = signed_in.get(campaign.get_absolute_url())
    assert 'hx-trigger="every' not in page.text  # nothing left to poll for


def test_the_progress_fragment_counts_messages_by_status(signed_in, marketer):
    campaign = services.launch(ready_campaign(marketer, [make_list("All", people(4))]),
                               actor=marketer)
    first = messages_of(campaign).first()
    messages_of(campaign).filter(pk=first.pk).update(status="sent")
    with CaptureQueriesContext(connection) as queries:
        page = signed_in.get(reverse("campaigns:progress", args=[campaign.pk]))
    assert 'data-count="sent">1<' in page.text and 'data-count="queued">3<' in page.text
    assert len(queries) <= 6


def test_a_scheduled_campaign_can_be_unscheduled(signed_in, marketer):
    campaign = services.launch(ready_campaign(
        marketer, [make_list("All", people(1))], schedule="at",
        scheduled_for=timezone.now() + timedelta(days=1)), actor=marketer)
    page = signed_in.get(campaign.get_absolute_url())
    assert "Goes out at" in page.text
    signed_in.post(reverse("campaigns:unschedule", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_a_decided_ab_test_shows_the_winner_and_says_when_it_is_not_significant(
        signed_in, marketer):
    campaign = ready_campaign(marketer, [make_list("All", people(40))], ab_test="subject",
                              test_percent=50, winner_wait=timedelta(hours=1))
    services.set_variants(campaign, [{"subject": "Spring is here"},
                                     {"subject": "Our spring news"}], actor=marketer)
    campaign = services.launch(campaign, actor=marketer)
    page = signed_in.get(campaign.get_absolute_url())
    assert "The winner is picked at" in page.text and "Held for the winner" in page.text

    sent = messages_of(campaign).filter(status="queued")
    sent.update(status="sent")
    first_b = messages_of(campaign).filter(status="sent", variant=1).first()
    messages_of(campaign).filter(pk=first_b.pk).update(opened_at=timezone.now())
    services.decide_winner(campaign)

    page = signed_in.get(campaign.get_absolute_url())
    assert "Winner" in page.text and "Not statistically significant" in page.text


def test_campaign_events_read_as_sentences_on_timelines(marketer):
    from clarion.core.events.models import Event
    from clarion.crm.extensions import describer_for

    campaign = services.launch(ready_campaign(marketer, [make_list("All", people(1))]),
                               actor=marketer)
    event = Event.objects.filter(kind="campaign.launched", subject_id=campaign.pk).get()
    assert describer_for(event.kind)(event) == "Campaign “Spring campaign” started sending"
