from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clarion.core.events import emit
from clarion.core.events.queries import events_for_contact, events_for_subject

pytestmark = pytest.mark.django_db

START = timezone.now() - timedelta(days=30)


def emit_at(minutes, kind="contact.updated", **fields):
    with transaction.atomic():
        return emit(kind, occurred_at=START + timedelta(minutes=minutes), **fields)


def test_a_contact_timeline_is_newest_first_and_only_that_contact():
    older = emit_at(1, contact_id=1)
    newer = emit_at(2, contact_id=1)
    emit_at(3, contact_id=2)

    assert events_for_contact(1) == [newer, older]


def test_a_contact_timeline_pages_by_keyset_without_gaps_or_repeats():
    # Several events share an instant: the id breaks the tie.
    events = [emit_at(minute // 3, contact_id=1) for minute in range(10)]
    newest_first = sorted(events, key=lambda e: (e.occurred_at, e.id), reverse=True)

    pages, before = [], None
    while page := events_for_contact(1, before=before, limit=4):
        pages.append(page)
        before = page[-1].cursor

    assert [len(page) for page in pages] == [4, 4, 2]
    assert [event for page in pages for event in page] == newest_first


def test_a_contact_timeline_can_be_filtered_by_kind():
    emit_at(1, "contact.created", contact_id=1)
    clicked = emit_at(2, "email.clicked", contact_id=1)
    opened = emit_at(3, "email.opened", contact_id=1)

    assert events_for_contact(1, kinds=["email.clicked", "email.opened"]) == [opened, clicked]


def test_a_record_timeline_holds_the_events_about_that_record(admin_user, sales_user):
    about_admin = emit_at(1, "user.signed_in", subject=admin_user)
    emit_at(2, "user.signed_in", subject=sales_user)

    assert events_for_subject(admin_user) == [about_admin]


def test_a_timeline_page_is_one_query_with_actors(admin_user, django_assert_num_queries):
    for minute in range(20):
        emit_at(minute, contact_id=1, actor=admin_user, subject=admin_user)

    with django_assert_num_queries(1):
        page = events_for_contact(1, limit=10)
        names = [(event.actor.email, event.subject_type.model) for event in page]

    assert names == [("admin@example.com", "user")] * 10
