"""The campaign report's numbers: counted from the messages in one grouped query, rates by
the usual definitions, machine opens and scanner clicks apart, A/B variants with the winner,
and opens/clicks over time and per link from the send's events."""

from datetime import timedelta
from itertools import count

import pytest
from django.db import transaction
from django.utils import timezone

from clarion.campaigns.models import Campaign
from clarion.campaigns.reports import (
    activity_over_time,
    campaign_report,
    clicks_per_link,
    metric_messages,
)
from clarion.core.events import NewEvent, emit_many
from clarion.crm.models import Contact
from clarion.sending.models import Message, Send, SenderIdentity

pytestmark = pytest.mark.django_db
_numbers = count(1)


# --- helpers shared by the report, trace and API tests ---------------------------------

def make_contact(**values) -> Contact:
    number = next(_numbers)
    values.setdefault("email", f"reader{number}@example.com")
    values.setdefault("first_name", f"Reader{number}")
    return Contact.objects.create(**values)


def make_campaign(*, name="Spring update", variants=1, started=None, **fields) -> Campaign:
    sender = SenderIdentity.objects.create(
        name="Newsletter", from_name="Clarion", from_email="news@example.com",
        postal_address="1 Example Street, Springfield")
    started = started or timezone.now() - timedelta(days=3)
    send = Send.objects.create(
        name=name, sender=sender, status=Send.Status.DONE, started_at=started,
        variants=[{"subject": f"Subject {index}", "links": ["https://example.com/a"]}
                  for index in range(variants)])
    return Campaign.objects.create(name=name, sender=sender, send=send,
                                   status=Campaign.Status.SENT, sent_at=started, **fields)


def add_message(campaign: Campaign, contact: Contact | None = None, **fields) -> Message:
    contact = contact or make_contact()
    fields.setdefault("status", Message.Status.SENT)
    if fields["status"] == Message.Status.SENT:
        fields.setdefault("sent_at", campaign.send.started_at + timedelta(minutes=1))
    return Message.objects.create(send=campaign.send, contact=contact, email=contact.email,
                                  domain=contact.email.rpartition("@")[2], **fields)


def email_events(message: Message, kind: str, *moments, **data) -> None:
    """`kind` events of the message at each moment, as tracking writes them."""
    with transaction.atomic():
        emit_many([NewEvent(kind, contact_id=message.contact_id, subject=message.send,
                            occurred_at=moment,
                            data={"send_id": message.send_id, "message_id": message.pk,
                                  **data}) for moment in moments])


# --- the numbers --------------------------------------------------------------------------

def test_counts_and_rates_follow_the_messages():
    campaign = make_campaign()
    now = timezone.now()
    for _index in range(6):
        add_message(campaign)
    add_message(campaign, opened_at=now, open_count=3)
    add_message(campaign, opened_at=now, open_count=1, clicked_at=now, click_count=2)
    add_message(campaign, bounced_at=now, bounce_kind="hard")
    add_message(campaign, bounced_at=now, bounce_kind="soft")
    add_message(campaign, status=Message.Status.FAILED, reason="rejected", smtp_code=550)
    add_message(campaign, status=Message.Status.SKIPPED, reason="unsubscribed")
    add_message(campaign, status=Message.Status.SKIPPED, reason="suppressed")
    add_message(campaign, status=Message.Status.SKIPPED, reason="suppressed")

    totals = campaign_report(campaign).totals

    assert (totals.recipients, totals.sent, totals.bounced, totals.delivered) == (14, 10, 2, 8)
    assert (totals.hard_bounced, totals.soft_bounced) == (1, 1)
    assert (totals.opened, totals.opens, totals.clicked, totals.clicks) == (2, 4, 1, 2)
    assert totals.open_rate == 25.0  # 2 of 8 delivered
    assert totals.click_rate == 12.5
    assert totals.click_to_open_rate == 50.0
    assert totals.bounce_rate == 20.0
    assert (totals.failed, totals.skipped) == (1, 3)
    assert totals.percent["open_rate"] == "25.0%"


def test_machine_opens_and_scanner_clicks_stay_out_of_the_rates():
    campaign = make_campaign()
    now = timezone.now()
    add_message(campaign, opened_at=now, open_count=1)
    add_message(campaign, machine_open_count=4)  # a privacy proxy only
    add_message(campaign, machine_click_count=2)  # a link scanner only
    add_message(campaign)

    totals = campaign_report(campaign).totals

    assert (totals.opened, totals.machine_opened, totals.machine_opens) == (1, 1, 4)
    assert (totals.clicked, totals.machine_clicked, totals.machine_clicks) == (0, 1, 2)
    assert totals.open_rate == 25.0
    assert totals.click_rate == 0.0


def test_skipped_contacts_are_counted_by_reason_including_the_sends_tally():
    campaign = make_campaign()
    add_message(campaign, status=Message.Status.SKIPPED, reason="no_consent")
    add_message(campaign, status=Message.Status.SKIPPED, reason="duplicate_address")
    add_message(campaign, status=Message.Status.SKIPPED, reason="no_consent")
    Send.objects.filter(pk=campaign.send_id).update(
        excluded={"no_consent": 2, "duplicate_address": 1, "excluded_segment": 5})
    campaign.send.refresh_from_db()

    report = campaign_report(campaign)

    assert [(code, n) for code, _label, n in report.skipped_by_reason] == [
        ("excluded_segment", 5), ("no_consent", 2), ("duplicate_address", 1)]
    assert report.totals.skipped == 8
    assert dict((c, str(label)) for c, label, _n in report.skipped_by_reason)[
        "duplicate_address"] == "Duplicate address"


def test_ab_variants_are_reported_apart_with_the_winner_marked():
    campaign = make_campaign(variants=2, ab_test=Campaign.ABTest.SUBJECT, winner_variant=1)
    now = timezone.now()
    for index in range(4):
        add_message(campaign, variant=0, opened_at=now if index == 0 else None)
    for index in range(4):
        add_message(campaign, variant=1, opened_at=now if index < 3 else None)

    report = campaign_report(campaign)

    assert report.is_ab_test
    assert [(v.name, v.subject, v.numbers.open_rate, v.is_winner) for v in report.variants] \
        == [("A", "Subject 0", 25.0, False), ("B", "Subject 1", 75.0, True)]
    assert report.totals.opened == 4


def test_the_numbers_take_one_query_however_many_messages(django_assert_num_queries):
    campaign = make_campaign()
    for index in range(30):
        add_message(campaign, status=[Message.Status.SENT, Message.Status.SKIPPED][index % 2],
                    reason="" if index % 2 == 0 else "suppressed")
    campaign = Campaign.objects.select_related("send").get(pk=campaign.pk)
    with django_assert_num_queries(1):
        report = campaign_report(campaign)
    assert report.totals.recipients == 30


def test_an_unsent_campaign_has_an_empty_report():
    campaign = Campaign.objects.create(name="Draft")
    report = campaign_report(campaign)
    assert report.send is None and report.totals.recipients == 0
    assert activity_over_time(None) == [] and clicks_per_link(None) == []


# --- over time and per link -------------------------------------------------------------

def test_opens_and_clicks_are_hourly_for_two_days_then_daily():
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=6)
    campaign = make_campaign(started=start)
    message = add_message(campaign)
    email_events(message, "email.opened", start + timedelta(minutes=5),
                 start + timedelta(minutes=40), start + timedelta(hours=3, minutes=1),
                 start + timedelta(days=3, hours=1), start + timedelta(days=5, hours=1))
    email_events(message, "email.clicked", start + timedelta(minutes=41),
                 url="https://example.com/a", link=0)

    buckets = activity_over_time(campaign.send)

    hourly = [b for b in buckets if b.hourly]
    daily = [b for b in buckets if not b.hourly]
    assert [(b.opens, b.clicks) for b in hourly] == [(2, 1), (0, 0), (0, 0), (1, 0)]
    assert hourly[1].start - hourly[0].start == timedelta(hours=1)
    # Daily after two days, quiet days included as zero.
    assert [(b.opens, b.clicks) for b in daily] == [(1, 0), (0, 0), (1, 0)]
    assert all(b.start.hour == 0 for b in daily)


def test_clicks_per_link_count_all_clicks_and_distinct_people():
    campaign = make_campaign()
    first, second = add_message(campaign), add_message(campaign)
    now = timezone.now()
    email_events(first, "email.clicked", now, now, url="https://example.com/pricing", link=0)
    email_events(second, "email.clicked", now, url="https://example.com/pricing", link=0)
    email_events(second, "email.clicked", now, url="https://example.com/blog", link=1)

    links = clicks_per_link(campaign.send)

    assert [(link.url, link.clicks, link.unique) for link in links] == [
        ("https://example.com/pricing", 3, 2), ("https://example.com/blog", 1, 1)]
    assert links[0].share == 100 and round(links[1].share) == 33


def test_each_metric_lists_the_messages_it_counts():
    campaign = make_campaign()
    now = timezone.now()
    opened = add_message(campaign, opened_at=now, open_count=1)
    unopened = add_message(campaign)
    add_message(campaign, bounced_at=now, bounce_kind="hard")
    skipped = add_message(campaign, status=Message.Status.SKIPPED, reason="no_consent")

    def ids(metric, **narrowing):
        return set(metric_messages(campaign.send, metric, **narrowing).values_list(
            "pk", flat=True))

    assert ids("opened") == {opened.pk}
    assert ids("not_opened") == {unopened.pk}
    assert ids("skipped", reason="no_consent") == {skipped.pk}
    assert ids("skipped", reason="suppressed") == set()
    assert len(ids("delivered")) == 2


def test_days_begin_at_midnight_in_the_viewers_time_zone():
    start = timezone.now() - timedelta(days=8)
    campaign = make_campaign(started=start)
    message = add_message(campaign)
    email_events(message, "email.opened", start + timedelta(days=3), start + timedelta(days=4))
    with timezone.override("Asia/Shanghai"):
        daily = [b for b in activity_over_time(campaign.send) if not b.hourly]
        assert [timezone.localtime(b.start).hour for b in daily] == [0] * len(daily)
    assert sum(b.opens for b in daily) == 2
