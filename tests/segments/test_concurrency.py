"""Concurrent refreshes and re-checks of one segment on PostgreSQL, each thread with its own
connection: the segment's row lock makes every membership change (and its event) happen
exactly once."""

from collections import Counter

import pytest
from django.db import connection

from clarion.crm.models import Contact
from clarion.segments.models import Segment
from clarion.segments.services import create_segment, recheck_contacts, refresh_segment
from tests.core.test_events_concurrency import run_in_threads
from tests.segments.support import events_of, make_contact, member_ids

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

LEADS = {"property": "lifecycle_stage", "op": "eq", "value": "lead"}


def test_concurrent_refreshes_record_each_change_once(admin_user):
    people = [make_contact(lifecycle_stage="subscriber") for _ in range(40)]
    segment = create_segment(actor=admin_user, name="Leads", kind="dynamic", definition=LEADS)
    Contact.objects.filter(pk__in=[p.pk for p in people[:30]]).update(lifecycle_stage="lead")

    def refresh_and_recheck():
        refresh_segment(Segment.objects.get(pk=segment.pk))
        recheck_contacts([p.pk for p in people], [Segment.objects.get(pk=segment.pk)])

    run_in_threads(4, refresh_and_recheck)

    segment.refresh_from_db()
    assert len(member_ids(segment)) == 30 == segment.member_count
    joined = Counter(event.contact_id for event in events_of("segment.joined", segment))
    assert len(joined) == 30 and set(joined.values()) == {1}
    assert events_of("segment.left", segment) == []


def test_a_large_refresh_writes_the_same_events_in_bulk(admin_user):
    from clarion.segments.services import CHUNK

    Contact.objects.bulk_create([Contact(email=f"p{n}@x.org", lifecycle_stage="lead")
                                 for n in range(CHUNK + 1)])
    segment = create_segment(actor=admin_user, name="Leads", kind="dynamic", definition=LEADS)

    joined = events_of("segment.joined", segment)
    assert len(joined) == CHUNK + 1 == segment.member_count
    assert {e.contact_id for e in joined} == set(Contact.objects.values_list("pk", flat=True))
    sample = joined[0]
    assert sample.subject == segment and sample.actor is None
    assert sample.data == {"segment": segment.pk, "name": "Leads"}
    assert sample.dispatched_at is not None  # the commit woke the dispatcher
