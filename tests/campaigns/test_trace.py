"""The per-contact trace: why a contact did or didn't get a campaign's email, in words, with
the segments as they stood when the recipients were chosen and the message's events."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clarion.campaigns.trace import trace_contact
from clarion.core.events import emit
from clarion.segments.models import Segment, SegmentMembership
from clarion.sending.models import Message
from clarion.subscriptions.models import Suppression
from tests.campaigns.test_reports import add_message, email_events, make_campaign, make_contact

pytestmark = pytest.mark.django_db


def segment_change(contact, segment, kind, when):
    with transaction.atomic():
        emit(kind, contact_id=contact.pk, subject=segment, occurred_at=when,
             data={"name": segment.name})


def test_a_sent_and_opened_message_reads_as_what_happened():
    campaign = make_campaign()
    start = campaign.send.started_at
    message = add_message(campaign, opened_at=start + timedelta(hours=2), open_count=2,
                          machine_open_count=1, clicked_at=start + timedelta(hours=3),
                          click_count=1)
    email_events(message, "email.opened", start + timedelta(hours=2))
    email_events(message, "email.clicked", start + timedelta(hours=3), url="https://x.example")

    trace = trace_contact(campaign, message.contact)

    assert trace.tone == "success" and trace.verdict.startswith("Sent on")
    text = " ".join(trace.explanations)
    assert "opened 2 times" in text and "privacy proxy" in text and "; 1 click." in text
    assert [entry.event.kind for entry in trace.timeline] == ["email.opened", "email.clicked"]


def test_a_suppressed_contact_is_explained_with_the_suppression_entry():
    campaign = make_campaign()
    contact = make_contact(email="Gone@Example.com")
    Suppression.objects.create(email="gone@example.com", reason="hard_bounce")
    add_message(campaign, contact, status=Message.Status.SKIPPED, reason="suppressed")

    trace = trace_contact(campaign, contact)

    assert trace.verdict == "Not sent." and trace.tone == "warning"
    assert "suppression list" in trace.explanations[0]
    assert "Hard bounce" in trace.explanations[1]


def test_a_deferred_message_shows_attempts_next_try_and_the_smtp_answer():
    campaign = make_campaign()
    message = add_message(campaign, status=Message.Status.DEFERRED, attempts=3,
                          smtp_code=451, smtp_response="4.7.1 Try again later",
                          due_at=timezone.now() + timedelta(minutes=20))

    trace = trace_contact(campaign, message.contact)

    assert trace.verdict.startswith("Deferred")
    assert trace.explanations[0].startswith("3 attempts so far")
    assert trace.explanations[-1] == "The server answered: 451 4.7.1 Try again later"


def test_a_failed_message_gives_the_reason_and_the_answer():
    campaign = make_campaign()
    message = add_message(campaign, status=Message.Status.FAILED, reason="rejected",
                          attempts=1, smtp_code=550, smtp_response="5.1.1 No such user")
    trace = trace_contact(campaign, message.contact)
    assert trace.tone == "danger"
    assert trace.explanations == ["The receiving server refused the message.",
                                  "The server answered: 550 5.1.1 No such user"]


def test_segments_are_read_as_they_stood_when_the_recipients_were_chosen():
    campaign = make_campaign()
    moment = campaign.send.started_at
    readers = Segment.objects.create(name="Readers", kind="static")
    vips = Segment.objects.create(name="VIPs", kind="static")
    leavers = Segment.objects.create(name="Leavers", kind="static")
    campaign.include_segments.set([readers, vips])
    campaign.exclude_segments.set([leavers])
    contact = make_contact(created_at=moment - timedelta(days=30))
    # Joined readers later; was in VIPs then but left since; joined leavers before.
    SegmentMembership.objects.create(segment=readers, contact=contact,
                                     joined_at=moment + timedelta(days=1))
    segment_change(contact, vips, "segment.joined", moment - timedelta(days=5))
    segment_change(contact, vips, "segment.left", moment + timedelta(hours=1))
    SegmentMembership.objects.create(segment=leavers, contact=contact,
                                     joined_at=moment - timedelta(days=2))

    trace = trace_contact(campaign, contact)

    assert [(s.name, s.leaves_out, s.was_member) for s in trace.segments] == [
        ("Readers", False, False), ("VIPs", False, True), ("Leavers", True, True)]
    assert trace.message is None
    assert trace.verdict == "This contact was not among the recipients."
    assert trace.explanations == ["They were in a segment the campaign leaves out: Leavers."]


def test_a_contact_in_none_of_the_segments_is_told_so():
    campaign = make_campaign()
    campaign.include_segments.set([Segment.objects.create(name="Readers", kind="static")])
    contact = make_contact(created_at=campaign.send.started_at - timedelta(days=1))
    trace = trace_contact(campaign, contact)
    assert trace.explanations == ["They were in none of the segments the campaign was sent to."]


def test_a_contact_added_after_the_send_is_told_so():
    campaign = make_campaign()
    trace = trace_contact(campaign, make_contact())
    assert trace.explanations == ["The contact was added after the recipients were chosen."]


def test_a_campaign_not_sent_yet_says_so():
    from clarion.campaigns.models import Campaign

    campaign = Campaign.objects.create(name="Draft")
    trace = trace_contact(campaign, make_contact())
    assert trace.verdict == "This campaign has not been sent yet."


def test_the_trace_takes_a_handful_of_queries(django_assert_max_num_queries):
    campaign = make_campaign()
    campaign.include_segments.set([Segment.objects.create(name="Readers", kind="static")])
    message = add_message(campaign, opened_at=timezone.now(), open_count=1)
    email_events(message, "email.opened", timezone.now(), timezone.now())
    with django_assert_max_num_queries(8):
        trace_contact(campaign, message.contact)


def test_attempts_without_a_clear_answer_are_shown_not_hidden():
    campaign = make_campaign()
    message = add_message(campaign, attempts=2, uncertain_attempts=1)
    trace = trace_contact(campaign, message.contact)
    assert any("1 attempt ended without a clear answer" in line
               for line in trace.explanations)
    assert "It took 2 attempts." in trace.explanations
