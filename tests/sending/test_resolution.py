"""Resolving a send's audience into one message per contact, set-based."""

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clarion.crm.models import Contact
from clarion.sending import services
from clarion.sending.models import Message, Send
from clarion.subscriptions.models import Subscription, SubscriptionType, Suppression
from tests.sending.support import VARIANT, make_contacts, make_send

pytestmark = pytest.mark.django_db


def statuses(send):
    return {m.contact_id: (m.status, m.reason) for m in Message.objects.filter(send=send)}


def test_each_exclusion_reason_is_recorded_and_counted():
    kind = SubscriptionType.objects.create(name="News", requires_opt_in=True)
    ok, unsubscribed, pending, no_consent, suppressed = make_contacts(5)
    no_email = Contact.objects.create(email="", first_name="Nomail")
    for contact, status in [(ok, "subscribed"), (unsubscribed, "unsubscribed"),
                            (pending, "pending"), (suppressed, "subscribed")]:
        Subscription.objects.create(contact=contact, subscription_type=kind, status=status)
    Suppression.objects.create(email=suppressed.email.upper(), reason="hard_bounce")
    send = make_send(subscription_type=kind)

    send = services.resolve_recipients(send, Contact.objects.all())

    assert statuses(send) == {
        ok.pk: ("queued", ""), unsubscribed.pk: ("skipped", "unsubscribed"),
        pending.pk: ("skipped", "pending_confirmation"),
        no_consent.pk: ("skipped", "no_consent"), suppressed.pk: ("skipped", "suppressed"),
        no_email.pk: ("skipped", "no_email")}
    assert send.recipient_count == 1
    assert send.excluded == {"unsubscribed": 1, "pending_confirmation": 1, "no_consent": 1,
                             "suppressed": 1, "no_email": 1}
    assert send.status == Send.Status.SENDING and send.started_at is not None


def test_resolution_is_one_insert_whatever_the_audience_size():
    make_contacts(300)
    send = make_send()
    with CaptureQueriesContext(connection) as queries:
        services.resolve_recipients(send, Contact.objects.all())
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and len(queries.captured_queries) <= 8
    assert Message.objects.filter(send=send).count() == 300


def test_a_shared_address_gets_one_message_from_the_lowest_contact():
    first = Contact.objects.create(email="same@example.com")
    # The unique index on lower(email) leaves stray whitespace as the way two contacts can
    # share an address (old imports).
    second = Contact.objects.create(email=" Same@example.com ")
    send = services.resolve_recipients(make_send(), Contact.objects.all())

    assert statuses(send) == {first.pk: ("queued", ""),
                              second.pk: ("skipped", "duplicate_address")}
    assert Message.objects.get(contact=second).email == "same@example.com"
    assert send.excluded == {"duplicate_address": 1}


def test_a_contact_chosen_by_several_segments_gets_one_message():
    people = make_contacts(3)
    a = SubscriptionType.objects.create(name="A")
    b = SubscriptionType.objects.create(name="B")
    for contact in people:
        Subscription.objects.create(contact=contact, subscription_type=a, status="subscribed")
    Subscription.objects.create(contact=people[0], subscription_type=b, status="subscribed")
    # A join that repeats a contact, as an audience of several lists does.
    chosen = Contact.objects.filter(subscriptions__subscription_type__in=[a, b])
    assert chosen.count() == 4
    send = services.resolve_recipients(make_send(), chosen)
    assert Message.objects.filter(send=send).count() == 3 == send.recipient_count


def test_message_fields_are_derived_in_sql():
    (person,) = make_contacts(1)
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    message = Message.objects.get(send=send)
    assert message.email == person.email and message.domain == "example0.com"
    assert message.message_id.startswith(f"<{send.pk}.{person.pk}.")
    assert message.message_id.endswith("@acme.example>")


def test_message_ids_are_deterministic_per_send_and_contact():
    make_contacts(2)
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    before = dict(Message.objects.filter(send=send).values_list("contact_id", "message_id"))
    Message.objects.filter(send=send).delete()
    services.resolve_recipients(send, Contact.objects.all())
    after = dict(Message.objects.filter(send=send).values_list("contact_id", "message_id"))
    assert before == after and len(set(after.values())) == 2


def test_resolving_again_adds_newcomers_and_leaves_existing_messages_alone():
    make_contacts(3)
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    Message.objects.filter(send=send).update(status="sent")
    make_contacts(2, start=10)

    send = services.resolve_recipients(send, Contact.objects.all())

    assert Counter(Message.objects.filter(send=send).values_list("status", flat=True)) == {
        "sent": 3, "queued": 2}
    assert send.recipient_count == 5


def test_local_time_schedules_each_zone_at_its_own_wall_clock_time():
    paris, tokyo, nowhere, blank = make_contacts(4)
    for contact, zone in [(paris, "Europe/Paris"), (tokyo, "Asia/Tokyo"),
                          (nowhere, "Mars/Olympus"), (blank, "")]:
        Contact.objects.filter(pk=contact.pk).update(time_zone=zone)
    send = services.resolve_recipients(make_send(), Contact.objects.all(),
                                       local_time=datetime(2030, 6, 1, 9, 0),
                                       fallback_time_zone="America/New_York")
    due = dict(Message.objects.filter(send=send).values_list("contact_id", "due_at"))
    assert due[paris.pk] == datetime(2030, 6, 1, 7, 0, tzinfo=UTC)
    assert due[tokyo.pk] == datetime(2030, 6, 1, 0, 0, tzinfo=UTC)
    assert due[nowhere.pk] == due[blank.pk] == datetime(2030, 6, 1, 13, 0, tzinfo=UTC)


def test_due_at_schedules_everyone_at_one_moment():
    make_contacts(2)
    moment = datetime(2031, 1, 1, 12, tzinfo=UTC)
    send = services.resolve_recipients(make_send(), Contact.objects.all(), due_at=moment)
    assert set(Message.objects.filter(send=send).values_list("due_at", flat=True)) == {moment}


def test_ab_test_splits_the_test_share_evenly_and_holds_the_rest():
    make_contacts(1000)
    send = make_send(variants=[VARIANT, {**VARIANT, "subject": "B"}, {**VARIANT,
                                                                          "subject": "C"}])
    send = services.resolve_recipients(send, Contact.objects.all(), ab=(30, 3))
    counts = Counter(Message.objects.filter(send=send).values_list("status", "variant"))
    assert counts == {("queued", 0): 100, ("queued", 1): 100, ("queued", 2): 100,
                      ("held", 0): 700}


def test_ab_assignment_is_deterministic_and_well_mixed():
    people = make_contacts(600)
    variants = [VARIANT, {**VARIANT, "subject": "B"}]
    first = services.resolve_recipients(make_send(variants=variants), Contact.objects.all(),
                                        ab=(50, 2))
    second = services.resolve_recipients(make_send(variants=variants), Contact.objects.all(),
                                         ab=(50, 2))
    in_test = {m.contact_id for m in Message.objects.filter(send=first, status="queued")}
    # Not the first half by id: lowest and highest ids are both in and out of the test.
    low_half = {p.pk for p in sorted(people, key=lambda p: p.pk)[:300]}
    assert 100 < len(in_test & low_half) < 200
    # Deterministic per send, different between sends.
    again = {m.contact_id for m in Message.objects.filter(send=second, status="queued")}
    assert in_test != again


def test_several_variants_without_a_test_share_split_the_whole_send():
    make_contacts(10)
    send = make_send(variants=[VARIANT, {**VARIANT, "subject": "B"}])
    services.resolve_recipients(send, Contact.objects.all())
    assert Counter(Message.objects.filter(send=send).values_list("variant", flat=True)) == {
        0: 5, 1: 5}


def test_release_held_sends_the_winner_to_the_rest():
    make_contacts(10)
    send = make_send(variants=[VARIANT, {**VARIANT, "subject": "B"}])
    services.resolve_recipients(send, Contact.objects.all(), ab=(20, 2))
    assert services.release_held(send, 1) == 8
    assert Counter(Message.objects.filter(send=send).values_list("status", "variant")) == {
        ("queued", 0): 1, ("queued", 1): 9}


def test_cancel_cancels_what_has_not_left():
    make_contacts(4)
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    Message.objects.filter(send=send).order_by("pk").filter(
        pk=Message.objects.filter(send=send).order_by("pk").first().pk).update(status="sent")
    services.cancel(send)
    assert Counter(Message.objects.filter(send=send).values_list("status", flat=True)) == {
        "sent": 1, "cancelled": 3}
    with pytest.raises(services.SendError):
        services.resolve_recipients(send, Contact.objects.all())


def test_pause_and_resume():
    make_contacts(1)
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    assert services.pause(send).status == Send.Status.PAUSED
    assert services.resume(send).status == Send.Status.SENDING
    services.cancel(send)
    with pytest.raises(services.SendError):
        services.resume(send)


def test_progress_and_trace_explain_each_contact():
    from clarion.sending import queries

    kind = SubscriptionType.objects.create(name="News")
    going, leaving = make_contacts(2)
    Subscription.objects.create(contact=leaving, subscription_type=kind, status="unsubscribed")
    send = services.resolve_recipients(make_send(subscription_type=kind), Contact.objects.all())

    progress = queries.progress(send)
    assert progress["counts"]["queued"] == 1 and progress["counts"]["skipped"] == 1
    assert progress["recipients"] == 1 and progress["percent_done"] == 0.0
    assert queries.trace(send, leaving.pk)["reason"] == "unsubscribed"
    assert queries.trace(send, going.pk)["status"] == "queued"
    assert queries.trace(send, 10**9) == {"found": False, "send_id": send.pk,
                                          "contact_id": 10**9}
