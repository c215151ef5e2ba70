"""Launching campaigns through the send engine: one message per distinct eligible contact,
exclusions, schedules, recipient time zones, A/B splits and winners, and the status rules."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clarion.campaigns import services
from clarion.campaigns.models import Campaign
from clarion.core.events.models import Event
from clarion.sending.models import Message
from clarion.subscriptions.services import suppress, unsubscribe
from tests.campaigns.support import (
    hours,
    make_email,
    make_list,
    marketing_type,
    messages_of,
    people,
    ready_campaign,
)

pytestmark = pytest.mark.django_db

Status = Campaign.Status


def kinds(campaign) -> list[str]:
    return list(Event.objects.filter(subject_id=campaign.pk, subject_type__model="campaign")
                .order_by("id").values_list("kind", flat=True))


# --- sending now --------------------------------------------------------------------------------

def test_launch_writes_one_queued_message_per_recipient(admin_user):
    crowd = people(3)
    campaign = ready_campaign(admin_user, [make_list("Customers", crowd)])

    campaign = services.launch(campaign, actor=admin_user)

    assert campaign.status == Status.SENDING and campaign.launched_at is not None
    rows = list(messages_of(campaign))
    assert [m.contact_id for m in rows] == sorted(c.pk for c in crowd)
    assert {m.status for m in rows} == {"queued"} and {m.variant for m in rows} == {0}
    variant = campaign.send.variants[0]
    assert "{{ contact.first_name" in variant["subject"]  # personalized per recipient later
    assert variant["links"] == ["https://clarion.test/spring"]
    assert campaign.send.recipient_count == 3
    assert kinds(campaign)[-1] == "campaign.launched"


def test_a_contact_in_several_segments_gets_one_message(admin_user):
    shared, *others = people(3)
    first = make_list("Customers", [shared, others[0]])
    second = make_list("Newsletter", [shared, others[1]])

    campaign = services.launch(ready_campaign(admin_user, [first, second]), actor=admin_user)

    rows = list(messages_of(campaign))
    assert len(rows) == 3
    assert [m.contact_id for m in rows].count(shared.pk) == 1


def test_contacts_in_a_leave_out_segment_get_nothing(admin_user):
    crowd = people(4)
    staff = make_list("Staff", crowd[:1])
    campaign = ready_campaign(admin_user, [make_list("All", crowd)], exclude=[staff])

    campaign = services.launch(campaign, actor=admin_user)

    assert sorted(m.contact_id for m in messages_of(campaign)) == sorted(c.pk for c in crowd[1:])


def test_unsubscribed_and_suppressed_contacts_are_skipped_with_the_reason(admin_user):
    keen, gone, bounced = people(3)
    unsubscribe(gone, marketing_type(), method="manual")
    suppress(bounced.email, "hard_bounce")
    campaign = ready_campaign(admin_user, [make_list("All", [keen, gone, bounced])])

    campaign = services.launch(campaign, actor=admin_user)

    by_contact = {m.contact_id: m for m in messages_of(campaign)}
    assert by_contact[keen.pk].status == "queued"
    assert (by_contact[gone.pk].status, by_contact[gone.pk].reason) == ("skipped",
                                                                        "unsubscribed")
    assert (by_contact[bounced.pk].status, by_contact[bounced.pk].reason) == ("skipped",
                                                                              "suppressed")
    assert campaign.send.excluded == {"unsubscribed": 1, "suppressed": 1}


def test_launching_twice_is_refused_and_sends_nothing_more(admin_user):
    campaign = ready_campaign(admin_user, [make_list("All", people(2))])
    services.launch(campaign, actor=admin_user)

    with pytest.raises(services.CampaignError):
        services.launch(campaign, actor=admin_user)
    assert Message.objects.count() == 2


def test_a_launched_campaign_can_no_longer_be_edited(admin_user):
    campaign = ready_campaign(admin_user, [make_list("All", people(1))])
    services.launch(campaign, actor=admin_user)

    with pytest.raises(services.CampaignError, match="can no longer be changed"):
        services.update_campaign(campaign, actor=admin_user, name="Renamed")
    with pytest.raises(services.CampaignError):
        services.set_variants(campaign, [{"subject": "A"}, {"subject": "B"}], actor=admin_user)
    campaign.refresh_from_db()
    assert campaign.name == "Spring campaign"


def test_a_stale_edit_is_refused(admin_user):
    campaign = ready_campaign(admin_user, [])
    services.update_campaign(campaign, actor=admin_user, expected_version=1, name="First")

    with pytest.raises(services.StaleCampaign):
        services.update_campaign(campaign, actor=admin_user, expected_version=1, name="Second")


# --- the checklist ----------------------------------------------------------------------------

def codes(error) -> set[str]:
    return {problem.code for problem in error.value.problems}


def test_an_email_without_footer_cannot_be_sent(admin_user):
    campaign = ready_campaign(admin_user, [make_list("All", people(1))],
                              email=make_email(footer=False))
    with pytest.raises(services.CampaignError) as error:
        services.launch(campaign, actor=admin_user)
    assert "not_sendable" in codes(error)
    assert any("footer" in p.message for p in error.value.problems)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.DRAFT


def test_unknown_tokens_block_the_launch_and_are_named(admin_user):
    email = make_email(body="<p>Hi {{ contact.fist_name }}</p>")
    campaign = ready_campaign(admin_user, [make_list("All", people(1))], email=email)
    with pytest.raises(services.CampaignError) as error:
        services.launch(campaign, actor=admin_user)
    assert "unknown_tokens" in codes(error)
    assert any("contact.fist_name" in p.message for p in error.value.problems)


def test_no_sender_no_recipients_and_empty_subject_are_reported_together(admin_user):
    campaign = ready_campaign(admin_user, [], email=make_email(subject=""))
    services.update_campaign(campaign, actor=admin_user, sender=None)
    with pytest.raises(services.CampaignError) as error:
        services.launch(campaign, actor=admin_user)
    assert {"no_sender", "no_recipients", "empty_subject"} <= codes(error)


def test_a_segment_of_only_unsubscribed_people_has_no_recipients(admin_user):
    only = people(1)
    unsubscribe(only[0], marketing_type(), method="manual")
    campaign = ready_campaign(admin_user, [make_list("All", only)])
    with pytest.raises(services.CampaignError) as error:
        services.launch(campaign, actor=admin_user)
    assert "no_recipients" in codes(error)


# --- schedules ---------------------------------------------------------------------------------

def test_a_scheduled_campaign_launches_only_when_its_time_comes(admin_user):
    at = timezone.now() + hours(2)
    campaign = ready_campaign(admin_user, [make_list("All", people(2))],
                              schedule=Campaign.Schedule.AT, scheduled_for=at)

    campaign = services.launch(campaign, actor=admin_user)
    assert campaign.status == Status.SCHEDULED and campaign.send is None
    assert services.launch_due(now=at - hours(1)) == 0

    assert services.launch_due(now=at + timedelta(seconds=1)) == 1
    assert services.launch_due(now=at + timedelta(seconds=2)) == 0  # once only
    rows = list(messages_of(campaign))
    assert len(rows) == 2 and {m.due_at for m in rows} == {at}
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENDING


def test_recipients_are_chosen_when_a_scheduled_campaign_starts(admin_user):
    early, late = people(2)
    segment = make_list("All", [early])
    at = timezone.now() + hours(1)
    campaign = services.launch(ready_campaign(admin_user, [segment], scheduled_for=at,
                                              schedule=Campaign.Schedule.AT),
                               actor=admin_user)
    from clarion.segments.services import add_members

    add_members(segment, [late.pk], actor=admin_user)
    services.launch_due(now=at)
    assert {m.contact_id for m in messages_of(campaign)} == {early.pk, late.pk}


def test_unscheduling_returns_a_draft_that_can_be_changed(admin_user):
    campaign = services.launch(ready_campaign(
        admin_user, [make_list("All", people(1))], schedule=Campaign.Schedule.AT,
        scheduled_for=timezone.now() + hours(3)), actor=admin_user)
    campaign = services.unschedule(campaign, actor=admin_user)
    assert campaign.status == Status.DRAFT and campaign.launch_at is None
    services.update_campaign(campaign, actor=admin_user, name="Changed")
    assert services.launch_due(now=timezone.now() + hours(4)) == 0


def test_a_scheduled_campaign_that_became_unsendable_goes_back_to_draft(admin_user):
    at = timezone.now() + hours(1)
    campaign = services.launch(ready_campaign(
        admin_user, [make_list("All", people(1))], schedule=Campaign.Schedule.AT,
        scheduled_for=at), actor=admin_user)
    Campaign.objects.get(pk=campaign.pk).email.delete()

    assert services.launch_due(now=at) == 0
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT and campaign.send_id is None
    assert kinds(campaign)[-1] == "campaign.launch_failed"


def test_local_time_sends_at_the_wall_clock_of_each_recipient(admin_user):
    tokyo, new_york, nowhere = people(3)
    tokyo.time_zone, new_york.time_zone = "Asia/Tokyo", "America/New_York"
    for contact in (tokyo, new_york):
        contact.save(update_fields=["time_zone"])
    wall = datetime(2030, 6, 1, 9, 0)
    campaign = ready_campaign(admin_user, [make_list("All", [tokyo, new_york, nowhere])],
                              schedule=Campaign.Schedule.RECIPIENT_TIME,
                              scheduled_for=wall.replace(tzinfo=UTC),
                              fallback_time_zone="Europe/Paris")
    campaign = services.launch(campaign, actor=admin_user)
    # It starts when 9:00 first arrives anywhere (UTC+14), not before.
    assert campaign.launch_at == datetime(2030, 5, 31, 19, 0, tzinfo=UTC)

    services.launch_due(now=campaign.launch_at)

    due = {m.contact_id: m.due_at for m in messages_of(campaign)}
    assert due[tokyo.pk] == wall.replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    assert due[new_york.pk] == wall.replace(tzinfo=ZoneInfo("America/New_York"))
    assert due[nowhere.pk] == wall.replace(tzinfo=ZoneInfo("Europe/Paris"))


# --- while sending -------------------------------------------------------------------------------

def test_pause_resume_and_cancel_follow_the_send(admin_user):
    campaign = services.launch(ready_campaign(admin_user, [make_list("All", people(3))]),
                               actor=admin_user)

    campaign = services.pause(campaign, actor=admin_user)
    assert campaign.status == Status.PAUSED and campaign.send.status == "paused"
    with pytest.raises(services.CampaignError):
        services.pause(campaign, actor=admin_user)

    campaign = services.resume(campaign, actor=admin_user)
    assert campaign.status == Status.SENDING
    campaign.send.refresh_from_db()
    assert campaign.send.status == "sending"

    campaign = services.cancel(campaign, actor=admin_user)
    assert campaign.status == Status.CANCELLED
    assert set(messages_of(campaign).values_list("status", flat=True)) == {"cancelled"}
    assert kinds(campaign)[-3:] == ["campaign.paused", "campaign.resumed", "campaign.cancelled"]
    with pytest.raises(services.CampaignError):
        services.resume(campaign, actor=admin_user)


def test_a_cancelled_scheduled_campaign_never_launches(admin_user):
    at = timezone.now() + hours(1)
    campaign = services.launch(ready_campaign(
        admin_user, [make_list("All", people(1))], schedule=Campaign.Schedule.AT,
        scheduled_for=at), actor=admin_user)
    services.cancel(campaign, actor=admin_user)
    assert services.launch_due(now=at + hours(1)) == 0
    assert not Message.objects.exists()


def test_a_campaign_is_sent_once_no_message_is_left_to_go(admin_user):
    campaign = services.launch(ready_campaign(admin_user, [make_list("All", people(2))]),
                               actor=admin_user)
    assert services.finish_sent() == 0
    messages_of(campaign).update(status="sent", sent_at=timezone.now())

    assert services.finish_sent() == 1
    assert services.finish_sent() == 0
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT and campaign.sent_at is not None
    assert kinds(campaign)[-1] == "campaign.sent"


# --- A/B tests ------------------------------------------------------------------------------

def ab_campaign(admin_user, contacts, *, percent=20, test="subject", metric="opens"):
    campaign = ready_campaign(admin_user, [make_list("All", contacts)], ab_test=test,
                              test_percent=percent, winner_metric=metric,
                              winner_wait=hours(4))
    variants = ([{"subject": "Spring is here"}, {"subject": "Our spring news"}]
                if test == "subject" else
                [{"email": make_email("A")}, {"email": make_email("B", subject="Other")}])
    return services.set_variants(campaign, variants, actor=admin_user)


def test_a_subject_test_sends_each_subject_to_its_share_and_holds_the_rest(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(50)), actor=admin_user)

    assert campaign.status == Status.TESTING
    assert [v["subject"] for v in campaign.send.variants] == ["Spring is here",
                                                              "Our spring news"]
    assert campaign.send.variants[0]["html"] == campaign.send.variants[1]["html"]
    rows = messages_of(campaign)
    queued = rows.filter(status="queued")
    assert queued.count() == 10  # 20 % of 50
    assert sorted(queued.values_list("variant", flat=True)) == [0] * 5 + [1] * 5
    assert rows.filter(status="held").count() == 40


def test_a_content_test_compiles_each_email(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(10), test="content"),
                               actor=admin_user)
    subjects = [v["subject"] for v in campaign.send.variants]
    assert subjects[1] == "Other" and subjects[0] != "Other"


def test_a_test_group_smaller_than_the_variants_is_refused(admin_user):
    campaign = ab_campaign(admin_user, people(5), percent=20)  # one person for two variants
    with pytest.raises(services.CampaignError) as error:
        services.launch(campaign, actor=admin_user)
    assert "test_group_too_small" in codes(error)


def test_a_100_percent_test_splits_the_whole_send_with_no_winner(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(20), percent=100),
                               actor=admin_user)
    assert campaign.status == Status.SENDING
    rows = messages_of(campaign)
    assert rows.filter(status="held").count() == 0
    assert sorted(rows.values_list("variant", flat=True)) == [0] * 10 + [1] * 10
    assert services.decide_due_winners(now=timezone.now() + hours(5)) == 0


def send_test_group(campaign, opened_by_variant: dict[int, int]) -> None:
    """Mark the test messages sent and the first N of each variant opened by a person."""
    for variant, opened in opened_by_variant.items():
        rows = list(messages_of(campaign).filter(status="queued", variant=variant)
                    .values_list("pk", flat=True))
        Message.objects.filter(pk__in=rows).update(status="sent", sent_at=timezone.now())
        Message.objects.filter(pk__in=rows[:opened]).update(opened_at=timezone.now(),
                                                            open_count=1)


def test_the_winner_is_picked_after_the_wait_and_goes_to_the_held_rest(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(100), percent=40),
                               actor=admin_user)
    send_test_group(campaign, {0: 4, 1: 16})  # 20 % vs 80 % of 20 each

    assert services.decide_due_winners(now=timezone.now() + hours(3)) == 0  # still waiting
    assert services.decide_due_winners(now=timezone.now() + hours(5)) == 1

    campaign.refresh_from_db()
    assert campaign.status == Status.SENDING and campaign.winner_variant == 1
    assert campaign.winner_result["significant"] is True
    assert campaign.winner_result["p_value"] < 0.001
    released = messages_of(campaign).filter(status="queued")
    assert released.count() == 60 and set(released.values_list("variant", flat=True)) == {1}
    assert services.decide_winner(campaign) == 0  # idempotent
    assert kinds(campaign).count("campaign.winner_picked") == 1


def test_machine_opens_do_not_count_for_the_winner(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(40), percent=50),
                               actor=admin_user)
    send_test_group(campaign, {0: 3, 1: 2})
    # Privacy proxies opened every variant-1 message: counted apart, never as opens.
    messages_of(campaign).filter(variant=1, status="sent").update(machine_open_count=1)

    services.decide_winner(campaign)
    campaign.refresh_from_db()
    assert campaign.winner_variant == 0


def test_a_close_result_still_picks_the_best_but_says_it_is_not_significant(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(40), percent=50),
                               actor=admin_user)
    send_test_group(campaign, {0: 4, 1: 5})

    services.decide_winner(campaign)
    campaign.refresh_from_db()
    assert campaign.winner_variant == 1
    assert campaign.winner_result["significant"] is False
    assert campaign.winner_result["p_value"] > 0.5


def test_clicks_decide_when_the_metric_is_clicks(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(40), percent=50,
                                           metric="clicks"), actor=admin_user)
    send_test_group(campaign, {0: 8, 1: 0})  # opens favour A …
    clicked = messages_of(campaign).filter(variant=1, status="sent")[:3]
    Message.objects.filter(pk__in=[m.pk for m in clicked]).update(clicked_at=timezone.now())

    services.decide_winner(campaign)
    campaign.refresh_from_db()
    assert campaign.winner_variant == 1  # … clicks favour B


def test_a_paused_test_waits_for_resume_before_its_winner(admin_user):
    campaign = services.launch(ab_campaign(admin_user, people(20)), actor=admin_user)
    services.pause(campaign, actor=admin_user)
    assert services.decide_due_winners(now=timezone.now() + hours(5)) == 0
    campaign = services.resume(campaign, actor=admin_user)
    assert campaign.status == Status.TESTING
    assert services.decide_due_winners(now=timezone.now() + hours(5)) == 1


# --- the scheduler's jobs --------------------------------------------------------------------

def test_the_scheduler_runs_the_campaign_jobs(admin_user):
    from clarion.campaigns import tasks
    from clarion.core import scheduler

    assert {"launch-campaigns", "decide-ab-winners", "finish-campaigns"} <= set(scheduler.JOBS)
    campaign = services.launch(ready_campaign(
        admin_user, [make_list("All", people(1))], schedule=Campaign.Schedule.AT,
        scheduled_for=timezone.now() + timedelta(seconds=1)), actor=admin_user)
    Campaign.objects.filter(pk=campaign.pk).update(launch_at=timezone.now() - hours(1))

    assert tasks.launch_due_campaigns.call() == 1
    messages_of(campaign).update(status="sent")
    assert tasks.finish_sent_campaigns.call() == 1
    assert tasks.decide_ab_winners.call() == 0
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT
