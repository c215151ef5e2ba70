from datetime import UTC

import pytest

from clarion.collab import services
from clarion.collab.models import Activity, ActivityRevision
from clarion.collab.services import ActivityInput, Links
from clarion.core.events.models import Event
from clarion.crm.timeline import timeline_page

pytestmark = pytest.mark.django_db


def log_note(author, *records, body="<p>Hello <strong>there</strong></p>", **extra):
    return services.log_activity(actor=author, kind="note", links=Links.of(*records),
                                 values=ActivityInput(body=body, **extra))


def test_a_note_keeps_formatting_and_loses_scripts_and_event_handlers(sales_user, contact):
    note = log_note(sales_user, contact, body=(
        '<p onclick="steal()">Call <b>back</b> <a href="javascript:alert(1)">x</a>'
        '<script>alert(1)</script></p><ul><li>one</li></ul><img src=x onerror=alert(1)>'))

    assert "<b>back</b>" in note.body and "<ul><li>one</li></ul>" in note.body
    for bad in ("onclick", "javascript:", "<script", "alert(1)", "<img", "onerror"):
        assert bad not in note.body


def test_plain_text_becomes_paragraphs(sales_user, contact):
    note = log_note(sales_user, contact, body="first line\nsecond\n\nnext 3 < 4 paragraph")

    assert note.body == "<p>first line<br>second</p><p>next 3 &lt; 4 paragraph</p>"


def test_an_empty_note_is_refused(sales_user, contact):
    with pytest.raises(services.InvalidInput):
        log_note(sales_user, contact, body="<p> </p>")
    assert not Activity.objects.exists()


def test_a_note_on_a_contact_and_its_company_is_on_both_timelines(sales_user, contact,
                                                                   company, deal):
    note = log_note(sales_user, contact, company)

    for record in (contact, company):
        events, _older = timeline_page(record, viewer=sales_user)
        assert [e.kind for e in events if e.subject_id == note.pk
                and e.kind.startswith("note.")] == ["note.created"]
    deal_events, _older = timeline_page(deal, viewer=sales_user)
    assert not [e for e in deal_events if e.kind.startswith("note.")]


def test_a_call_is_logged_with_its_outcome_on_every_linked_record(sales_user, contact, deal):
    call = services.log_activity(actor=sales_user, kind="call", links=Links.of(contact, deal),
                                 values=ActivityInput(outcome="left_voicemail",
                                                      duration_minutes=3))

    event = Event.objects.get(kind="call.logged")
    assert event.contact_id == contact.pk and event.subject_id == call.pk
    assert event.data["outcome"] == "left_voicemail" and event.data["duration_minutes"] == 3
    deal_events, _older = timeline_page(deal, viewer=sales_user)
    assert "call.logged" in [e.kind for e in deal_events]


def test_a_call_needs_an_outcome(sales_user, contact):
    with pytest.raises(services.InvalidInput) as error:
        services.log_activity(actor=sales_user, kind="call", links=Links.of(contact),
                              values=ActivityInput())
    assert error.value.field == "outcome"


def test_a_meeting_links_its_attending_contacts(sales_user, pat, company, contact):
    meeting = services.log_activity(
        actor=sales_user, kind="meeting", links=Links.of(company),
        values=ActivityInput(title="Kick-off", attendee_users=[pat],
                             attendee_contacts=[contact]))

    assert list(meeting.contacts.all()) == [contact]
    assert list(meeting.attendee_users.all()) == [pat]
    assert Event.objects.get(kind="meeting.logged").contact_id == contact.pk


def test_a_meeting_cannot_end_before_it_starts(sales_user, contact):
    from datetime import datetime, timedelta

    start = datetime(2026, 1, 5, 10, tzinfo=UTC)
    with pytest.raises(services.InvalidInput) as error:
        services.log_activity(actor=sales_user, kind="meeting", links=Links.of(contact),
                              values=ActivityInput(title="x", starts_at=start,
                                                   ends_at=start - timedelta(hours=1)))
    assert error.value.field == "ends_at"


def test_editing_keeps_the_previous_version_and_emits_an_event(sales_user, contact):
    note = log_note(sales_user, contact, body="first")

    services.edit_activity(note, actor=sales_user, values=ActivityInput(body="second"))

    note.refresh_from_db()
    assert note.body == "<p>second</p>"
    revision = ActivityRevision.objects.get(activity=note)
    assert revision.snapshot["body"] == "<p>first</p>" and revision.edited_by == sales_user
    assert Event.objects.filter(kind="note.edited", subject_id=note.pk).exists()


def test_deleting_hides_it_but_keeps_its_history(sales_user, contact):
    note = log_note(sales_user, contact, body="secret plan", pinned=True)

    services.delete_activity(note, actor=sales_user)

    note.refresh_from_db()
    assert note.is_deleted and not note.pinned
    assert ActivityRevision.objects.get(activity=note).snapshot["body"] == "<p>secret plan</p>"
    assert Event.objects.filter(kind="note.deleted", contact_id=contact.pk).exists()
