"""Membership mechanics: full refresh, incremental re-check after events, static lists,
exactly-once joined/left events, problems flagged rather than members dropped."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.core.events.models import Event
from clarion.core.filters import InvalidFilter
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact, Deal, Pipeline, Stage
from clarion.crm.services import associate, delete_record, update_record
from clarion.crm.timeline import describe
from clarion.segments import queries
from clarion.segments.models import Segment, SegmentSizeSample
from clarion.segments.services import (
    add_members,
    create_segment,
    delete_segment,
    recheck_contacts,
    refresh_all_due,
    refresh_segment,
    remove_members,
    update_segment,
)
from tests.segments.support import did, events_of, make_contact, member_ids, settle

pytestmark = pytest.mark.django_db

LEADS = {"property": "lifecycle_stage", "op": "eq", "value": "lead"}
PRICING_3 = {"event": "page.viewed", "count": {"gte": 3}, "within_days": 30,
             "where": {"property": "url", "op": "contains", "value": "/pricing"}}


def dynamic(actor, definition, name="Segment") -> Segment:
    return create_segment(actor=actor, name=name, kind="dynamic", definition=definition)


def test_creating_a_segment_computes_members_and_emits_joined_once(admin_user):
    ada = make_contact(lifecycle_stage="lead")
    make_contact(lifecycle_stage="customer")
    segment = dynamic(admin_user, LEADS)

    assert member_ids(segment) == {ada.pk}
    assert segment.member_count == 1
    assert segment.last_refreshed_at is not None and segment.last_changed_at is not None
    assert [e.contact_id for e in events_of("segment.joined", segment)] == [ada.pk]
    assert refresh_segment(segment) == (0, 0)
    assert refresh_segment(segment) == (0, 0)
    assert len(events_of("segment.joined", segment)) == 1
    # A steady size is sampled once a day, a changed one at every refresh.
    assert list(SegmentSizeSample.objects.filter(segment=segment)
                .values_list("size", flat=True)) == [1]
    SegmentSizeSample.objects.update(sampled_at=timezone.now() - timedelta(days=2))
    make_contact(lifecycle_stage="lead")
    refresh_segment(segment)
    refresh_segment(segment)
    assert list(SegmentSizeSample.objects.filter(segment=segment).order_by("sampled_at")
                .values_list("size", flat=True)) == [1, 2]


def test_full_refresh_computes_joins_and_leaves_as_set_differences(admin_user):
    ada = make_contact(lifecycle_stage="lead")
    bob = make_contact(lifecycle_stage="customer")
    segment = dynamic(admin_user, LEADS)
    changed_at = Segment.objects.get(pk=segment.pk).last_changed_at
    # Change the data behind the spine's back: only a refresh can notice.
    Contact.objects.filter(pk=ada.pk).update(lifecycle_stage="customer")
    Contact.objects.filter(pk=bob.pk).update(lifecycle_stage="lead")

    assert refresh_segment(segment) == (1, 1)
    segment.refresh_from_db()
    assert member_ids(segment) == {bob.pk}
    assert segment.member_count == 1 and segment.last_changed_at > changed_at
    assert [e.contact_id for e in events_of("segment.left", segment)] == [ada.pk]
    last_changed = segment.last_changed_at
    refresh_segment(segment)
    segment.refresh_from_db()
    assert segment.last_changed_at == last_changed  # nothing changed, nothing moved


def test_property_change_rechecks_the_contact_incrementally(admin_user):
    ada = make_contact(lifecycle_stage="subscriber")
    segment = dynamic(admin_user, LEADS)
    assert member_ids(segment) == set()

    update_record(ada, actor=admin_user, values={"lifecycle_stage": "lead"})
    settle()
    assert member_ids(segment) == {ada.pk}
    update_record(Contact.objects.get(pk=ada.pk), actor=admin_user,
                  values={"lifecycle_stage": "customer"})
    settle()
    segment.refresh_from_db()
    assert member_ids(segment) == set() and segment.member_count == 0
    assert len(events_of("segment.joined", segment)) == 1
    assert len(events_of("segment.left", segment)) == 1
    assert refresh_segment(segment) == (0, 0)


def test_new_contacts_and_behaviour_events_join_incrementally(admin_user):
    segment = dynamic(admin_user, {"all": [LEADS, PRICING_3]})
    ada = make_contact(lifecycle_stage="lead")
    settle()
    assert member_ids(segment) == set()
    for _ in range(3):
        did(ada, url="https://x.org/pricing")
    settle()
    assert member_ids(segment) == {ada.pk}
    assert Segment.objects.get(pk=segment.pk).member_count == 1


def test_unrelated_events_cost_one_small_query(admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ada = make_contact(lifecycle_stage="lead")
    segment = dynamic(admin_user, LEADS)
    settle()
    did(ada, "email.opened", campaign="Spring")
    with CaptureQueriesContext(connection) as queries_run:
        settle()
    touching = [q["sql"] for q in queries_run.captured_queries if "segments_" in q["sql"]]
    assert len(touching) == 1 and "COUNT" in touching[0]  # the index's version check
    assert Segment.objects.get(pk=segment.pk).last_changed_at == segment.last_changed_at


def test_segment_in_segment_follows_through_the_joined_event(admin_user):
    leads = dynamic(admin_user, LEADS, name="Leads")
    hot = dynamic(admin_user, {"all": [{"segment": leads.pk, "op": "in"}, PRICING_3]},
                  name="Hot leads")
    ada = make_contact(lifecycle_stage="subscriber")
    for _ in range(3):
        did(ada, url="https://x.org/pricing")
    settle()
    assert member_ids(hot) == set()
    update_record(ada, actor=admin_user, values={"lifecycle_stage": "lead"})
    settle()
    assert member_ids(leads) == {ada.pk}
    assert member_ids(hot) == {ada.pk}


def test_company_and_deal_changes_recheck_their_contacts(admin_user):
    acme = Company.objects.create(name="Acme", industry="Retail")
    ada = make_contact(company=acme)
    tech = dynamic(admin_user, {"association": "company", "where": {
        "property": "industry", "op": "eq", "value": "Technology"}})
    update_record(acme, actor=admin_user, values={"industry": "Technology"})
    settle()
    assert member_ids(tech) == {ada.pk}

    pipeline = Pipeline.objects.create(name="Sales")
    new = Stage.objects.create(pipeline=pipeline, name="New")
    won = Stage.objects.create(pipeline=pipeline, name="Won")
    deal = Deal.objects.create(name="Big", pipeline=pipeline, stage=new)
    winners = dynamic(admin_user, {"association": "deals", "where": {
        "property": "stage", "op": "is", "value": won.pk}})
    associate(actor=admin_user, record=deal, other=ada)
    update_record(deal, actor=admin_user, values={"stage": won})
    settle()
    assert member_ids(winners) == {ada.pk}


def test_static_lists_take_contacts_by_hand_set_based(admin_user):
    people = [make_contact() for _ in range(4)]
    attendees = create_segment(actor=admin_user, name="Attendees", kind="static")
    assert add_members(attendees, Contact.objects.filter(pk__in=[p.pk for p in people[:3]]),
                       actor=admin_user) == 3
    assert add_members(attendees, [people[2].pk, people[3].pk], actor=admin_user) == 1
    assert remove_members(attendees, [people[0]], actor=admin_user) == 1
    assert remove_members(attendees, [people[0].pk], actor=admin_user) == 0
    attendees.refresh_from_db()
    assert attendees.member_count == 3 == len(member_ids(attendees))
    assert len(events_of("segment.joined", attendees)) == 4
    assert refresh_segment(attendees) == (0, 0)  # a list is a snapshot
    segment = dynamic(admin_user, LEADS)
    with pytest.raises(ValueError, match="static lists"):
        add_members(segment, [people[0].pk], actor=admin_user)


def test_deleted_contacts_drop_out_and_counts_stay_right(admin_user):
    ada, bob = make_contact(lifecycle_stage="lead"), make_contact(lifecycle_stage="lead")
    segment = dynamic(admin_user, LEADS)
    attendees = create_segment(actor=admin_user, name="Attendees", kind="static")
    add_members(attendees, [ada.pk, bob.pk], actor=admin_user)
    delete_record(ada, actor=admin_user)
    settle()
    for s in (segment, attendees):
        s.refresh_from_db()
        assert s.member_count == 1 and member_ids(s) == {bob.pk}


def test_cycles_are_rejected_naming_the_leaf(admin_user):
    a = dynamic(admin_user, LEADS, name="A")
    b = dynamic(admin_user, {"segment": a.pk, "op": "in"}, name="B")
    c = dynamic(admin_user, {"segment": b.pk, "op": "not_in"}, name="C")
    chain = f"{a.pk} → {c.pk} → {b.pk} → {a.pk}"
    with pytest.raises(InvalidFilter, match=rf"would contain itself \({chain}\)"):
        update_segment(a, actor=admin_user, definition={"any": [LEADS, {"segment": c.pk}]})
    with pytest.raises(InvalidFilter, match="would contain itself"):
        update_segment(a, actor=admin_user, definition={"segment": a.pk})


def test_deleted_references_flag_the_segment_and_keep_its_members(admin_user):
    PropertyDefinition.objects.create(object_type="contact", name="tier", label="Tier",
                                      type="text")
    ada = make_contact(lifecycle_stage="lead", tier="gold")
    leads = dynamic(admin_user, LEADS, name="Leads")
    gold = dynamic(admin_user, {"property": "tier", "op": "eq", "value": "gold"}, name="Gold")
    hot = dynamic(admin_user, {"segment": leads.pk}, name="Hot")
    assert member_ids(hot) == member_ids(gold) == {ada.pk}

    delete_segment(leads, actor=admin_user)
    hot.refresh_from_db()
    assert "refers to a segment that was deleted" in hot.problem and "Leads" in hot.problem
    PropertyDefinition.objects.filter(name="tier").update(archived=True)
    assert refresh_segment(gold) == (0, 0)
    gold.refresh_from_db()
    assert "unknown property 'tier'" in gold.problem
    assert refresh_segment(hot) == (0, 0)
    for segment in (hot, gold):
        segment.refresh_from_db()
        assert member_ids(segment) == {ada.pk} and segment.member_count == 1
    # Fixing the definition clears the flag.
    update_segment(gold, actor=admin_user, definition=LEADS)
    gold.refresh_from_db()
    assert gold.problem == ""


def test_invalid_definitions_are_rejected_on_create(admin_user):
    with pytest.raises(InvalidFilter, match="unknown property 'lifecycle'"):
        dynamic(admin_user, {"property": "lifecycle", "op": "eq", "value": "lead"})
    with pytest.raises(InvalidFilter, match="'me' has no meaning"):
        dynamic(admin_user, {"property": "owner", "op": "is", "value": "me"})
    assert not Segment.objects.exists()


def test_relative_dates_drift_and_the_scheduler_refreshes_due_segments(admin_user):
    ada = make_contact()
    did(ada, url="https://x.org/pricing", days_ago=29.9)
    recent = dynamic(admin_user, {"event": "page.viewed", "within_days": 30})
    assert member_ids(recent) == {ada.pk}
    Event.objects.filter(contact_id=ada.pk, kind="page.viewed").update(
        occurred_at=timezone.now() - timedelta(days=31))
    assert refresh_all_due() == 0  # refreshed just now
    Segment.objects.update(last_refreshed_at=timezone.now() - timedelta(hours=1))
    assert refresh_all_due() == 1
    assert member_ids(recent) == set()


def test_recheck_of_one_contact_only_touches_that_contact(admin_user):
    ada, bob = make_contact(lifecycle_stage="lead"), make_contact(lifecycle_stage="lead")
    segment = dynamic(admin_user, LEADS)
    Contact.objects.update(lifecycle_stage="customer")
    assert recheck_contacts([ada.pk], [segment]) == (0, 1)
    assert member_ids(segment) == {bob.pk}


def test_timeline_reads_joined_and_left_sentences(admin_user):
    ada = make_contact(lifecycle_stage="lead")
    segment = dynamic(admin_user, LEADS, name="Leads")
    update_record(ada, actor=admin_user, values={"lifecycle_stage": "customer"})
    settle()
    joined, left = events_of("segment.joined", segment)[0], events_of("segment.left",
                                                                       segment)[0]
    assert describe(joined, None).sentence == "Joined the segment “Leads”"
    assert describe(left, None).sentence == "Left the segment “Leads”"
    assert [m.segment.name for m in queries.memberships_of(ada)] == []


def test_size_history_and_memberships_queries(admin_user):
    ada = make_contact(lifecycle_stage="lead")
    segment = dynamic(admin_user, LEADS, name="Leads")
    make_contact(lifecycle_stage="lead")
    refresh_segment(segment)
    assert [s.size for s in queries.size_history(segment)] == [1, 2]
    assert [m.segment.name for m in queries.memberships_of(ada)] == ["Leads"]
    kinds = dict(queries.event_kinds())
    assert kinds["page.viewed"] == "Viewed a page" and "contact.created" in kinds
    did(ada, "webinar.attended", webinar="Launch")
    assert "webinar.attended" in dict(queries.event_kinds())
    assert queries.event_data_keys("webinar.attended") == ["webinar"]
