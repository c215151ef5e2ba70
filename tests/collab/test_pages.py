import pytest
from django.urls import reverse

from clarion.collab import services
from clarion.collab.models import Activity
from clarion.collab.services import ActivityInput, Links

pytestmark = pytest.mark.django_db


def test_the_record_page_shows_the_composer_comments_and_files(client, sales_user, contact):
    client.force_login(sales_user)

    page = client.get(contact.get_absolute_url())

    assert page.status_code == 200
    html = page.content.decode()
    for marker in ('id="composer-note"', 'id="composer-call"', 'id="composer-meeting"',
                   'class="card collab-comments"', 'class="card collab-files"'):
        assert marker in html


def test_a_note_posted_from_the_composer_lands_on_the_contact_and_its_company(
        client, sales_user, contact, company):
    client.force_login(sales_user)
    url = reverse("collab:activity_create", args=["contact", contact.pk])

    response = client.post(url, {"kind": "note", "body": "<p>Met at <em>expo</em></p>",
                                 "links": [f"company:{company.pk}"]})

    assert response.status_code == 302
    note = Activity.objects.get()
    assert list(note.companies.all()) == [company]
    company_page = client.get(company.get_absolute_url()).content.decode()
    assert "Met at <em>expo</em>" in company_page


def test_a_read_only_user_gets_no_composer_and_cannot_post(client, reader, contact):
    client.force_login(reader)

    page = client.get(contact.get_absolute_url()).content.decode()
    response = client.post(reverse("collab:activity_create", args=["contact", contact.pk]),
                           {"kind": "note", "body": "hi"})

    assert 'id="composer-note"' not in page
    assert response.status_code == 403 and not Activity.objects.exists()


def test_the_activity_page_shows_the_body_and_history(client, sales_user, contact):
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                                 values=ActivityInput(body="draft"))
    services.edit_activity(note, actor=sales_user, values=ActivityInput(body="final"))
    client.force_login(sales_user)

    html = client.get(note.get_absolute_url()).content.decode()

    assert "<p>final</p>" in html and "<p>draft</p>" in html


def test_read_only_people_still_see_pinned_notes(client, sales_user, reader, contact):
    services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                          values=ActivityInput(body="Always call after 2pm", pinned=True))
    client.force_login(reader)

    html = client.get(contact.get_absolute_url()).content.decode()

    assert "Always call after 2pm" in html and 'id="composer-note"' not in html


def test_a_meetings_attendees_can_be_changed_alone(sales_user, pat, contact):
    meeting = services.log_activity(actor=sales_user, kind="meeting", links=Links.of(contact),
                                    values=ActivityInput(title="Sync"))

    services.edit_activity(meeting, actor=sales_user,
                           values=ActivityInput(title="Sync", attendee_users=[pat]))

    assert list(meeting.attendee_users.all()) == [pat]
    assert meeting.revisions.count() == 1


def test_the_author_edits_pins_and_deletes_a_note_from_its_page(client, sales_user, contact):
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                                 values=ActivityInput(body="draft"))
    client.force_login(sales_user)

    edited = client.post(reverse("collab:activity_edit", args=[note.pk]), {"body": "final"})
    pinned = client.post(reverse("collab:activity_pin", args=[note.pk]), {"pinned": "1"})
    deleted = client.post(reverse("collab:activity_delete", args=[note.pk]))

    assert edited.status_code == pinned.status_code == deleted.status_code == 302
    note.refresh_from_db()
    assert note.body == "<p>final</p>" and note.is_deleted
    assert deleted["Location"] == contact.get_absolute_url()


def test_someone_else_may_not_edit_or_delete_a_note(client, sales_user, pat, contact):
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                                 values=ActivityInput(body="mine"))
    client.force_login(pat)

    assert client.get(note.get_absolute_url()).status_code == 200  # Pat sees the contact
    assert client.post(reverse("collab:activity_edit", args=[note.pk]),
                       {"body": "x"}).status_code == 403
    assert client.post(reverse("collab:activity_delete", args=[note.pk])).status_code == 403


def test_a_composer_error_comes_back_with_the_message(client, sales_user, contact):
    client.force_login(sales_user)

    response = client.post(reverse("collab:activity_create", args=["contact", contact.pk]),
                           {"kind": "call", "body": "no outcome"})

    assert response.status_code == 400
    assert "Choose the call&#x27;s outcome." in response.content.decode()


def test_a_busy_record_page_costs_no_more_queries_than_a_quiet_one(
        client, sales_user, pat, contact, company, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clarion.collab.mentions import mention_token

    client.force_login(sales_user)
    client.get(contact.get_absolute_url())
    with CaptureQueriesContext(connection) as quiet:
        client.get(contact.get_absolute_url())
    for number in range(8):
        services.log_activity(actor=sales_user, kind="note", links=Links.of(contact, company),
                              values=ActivityInput(body=f"n{number}", pinned=number < 3))
        top = services.add_comment(actor=pat, target=contact,
                                   body=f"{mention_token(sales_user)} c{number}")
        services.add_comment(actor=sales_user, target=contact, body="ok", parent=top)
        services.attach_link(actor=sales_user, target=contact,
                             url=f"https://example.com/{number}")

    with django_assert_max_num_queries(len(quiet.captured_queries) + 6):
        response = client.get(contact.get_absolute_url())

    assert response.status_code == 200


def test_an_administrator_may_edit_anyones_note(client, sales_user, admin_user, contact):
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                                 values=ActivityInput(body="typo"))
    client.force_login(admin_user)

    response = client.post(reverse("collab:activity_edit", args=[note.pk]), {"body": "fixed"})

    note.refresh_from_db()
    assert response.status_code == 302 and note.body == "<p>fixed</p>"
    assert note.revisions.get().edited_by == admin_user
