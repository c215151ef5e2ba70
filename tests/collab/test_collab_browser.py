"""Collaboration in a real browser: log a formatted note, a call and a meeting on a contact
and find them on its timeline and its company's; comment with an @mention chosen by keyboard;
upload a file through the file input and see it finish. Every page checked with axe."""

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.collab.models import Activity, Attachment, Comment
from clarion.crm.models import Company, Contact
from clarion.crm.services import create_record
from clarion.notifications.models import Notification
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


@pytest.fixture
def people(transactional_db):
    roles = ensure_default_roles()
    sam = create_user(email="sam@example.com", password=PASSWORD, first_name="Sam",
                      last_name="Rivera", role=roles["Sales"])
    pat = create_user(email="pat@example.com", password=PASSWORD, first_name="Patricia",
                      last_name="Lee", role=roles["Sales"])
    return sam, pat


@pytest.fixture
def contact(people):
    sam, _pat = people
    company = create_record(Company, actor=sam, values={"name": "Globex", "owner": sam})
    return create_record(Contact, actor=sam, values={
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@globex.example.com",
        "company": company, "owner": sam})


def test_log_a_note_a_call_and_a_meeting_and_see_them_on_both_timelines(page, people,
                                                                        contact):
    sam, _pat = people
    login(page, sam.email, PASSWORD)
    page.goto(contact.get_absolute_url())
    assert_accessible(page)

    editor = page.get_by_role("textbox", name="Note")
    editor.click()
    page.keyboard.type("Budget approved ")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("next quarter")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".timeline-entries")).to_contain_text("wrote a note")
    expect(page.locator(".timeline-entries b, .timeline-entries strong").first).to_have_text(
        "next quarter")

    page.get_by_role("tab", name="Call").click()
    page.get_by_label("Outcome").select_option(label="Left voicemail")
    page.get_by_label("Duration (minutes)").fill("4")
    assert_accessible(page)
    page.get_by_role("button", name="Log call").click()
    expect(page.locator(".timeline-entries")).to_contain_text("Left voicemail")

    page.get_by_role("tab", name="Call").focus()
    page.keyboard.press("ArrowRight")  # tabs move with the arrow keys
    expect(page.get_by_role("tab", name="Meeting")).to_have_attribute("aria-selected", "true")
    page.get_by_role("textbox", name="Meeting title").fill("Quarterly review")
    page.get_by_role("button", name="Log meeting").click()
    expect(page.locator(".timeline-entries")).to_contain_text("Quarterly review")
    assert Activity.objects.count() == 3

    page.get_by_role("link", name="Globex").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex")
    timeline = page.locator(".timeline-entries")
    for text in ("wrote a note", "next quarter", "Left voicemail", "Quarterly review"):
        expect(timeline).to_contain_text(text)
    assert_accessible(page)

    note_entry = timeline.locator("li", has_text="wrote a note")
    note_entry.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Note")
    expect(page.locator(".collab-richtext").first).to_contain_text("Budget approved")
    assert_accessible(page)


def test_comment_with_a_mention_chosen_by_keyboard_and_upload_a_file(page, people, contact,
                                                                     tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    sam, pat = people
    login(page, sam.email, PASSWORD)
    page.goto(contact.get_absolute_url())

    box = page.get_by_label("Add a comment")
    box.click()
    page.keyboard.type("Thanks @pat")
    listbox = page.get_by_role("listbox", name="People")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(1)
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value(f"Thanks @[Patricia Lee](user:{pat.pk}) ")
    page.keyboard.type("please call her.")
    page.get_by_role("button", name="Comment", exact=True).click()
    comments = page.locator(".collab-comments")
    expect(comments.locator("a.mention")).to_have_text("@Patricia Lee")
    expect(comments).to_contain_text("please call her.")
    assert Comment.objects.count() == 1
    assert Notification.objects.filter(recipient=pat, kind="comment.mentioned").exists()

    upload = tmp_path / "minutes.txt"
    upload.write_text("Minutes of the call")
    page.get_by_label("Attach a file").set_input_files(str(upload))
    files = page.locator(".collab-files")
    expect(files.get_by_role("status")).to_have_text("Uploaded “minutes.txt”.")
    expect(files.locator("progress")).to_have_attribute("value", "100")
    expect(files.get_by_role("link", name="minutes.txt")).to_be_visible()
    assert Attachment.objects.get().name == "minutes.txt"
    assert_accessible(page)

    page.evaluate("""() => {
        const zone = document.querySelector('.collab-files [data-dropzone]');
        const data = new DataTransfer();
        data.items.add(new File(['MZ not a picture'], 'setup.exe'));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true}));
    }""")
    expect(files.get_by_role("status")).to_contain_text("“setup.exe” can't be attached")
    assert Attachment.objects.count() == 1

    comments.get_by_role("link", name="Edit comment").click()
    editor = comments.get_by_role("textbox", name="Edit comment")
    expect(editor).to_be_visible()
    editor.fill("Thanks, please call her today.")
    assert_accessible(page)
    comments.get_by_role("button", name="Save").click()
    expect(comments).to_contain_text("please call her today.")
    comments.get_by_role("button", name="edited").click()
    dialog = page.get_by_role("dialog", name="Earlier versions")
    expect(dialog).to_contain_text("please call her.")
    assert_accessible(page)
    dialog.get_by_role("button", name="Close").click()


def test_the_record_page_works_at_phone_width(page, people, contact):
    sam, _pat = people
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, sam.email, PASSWORD)
    page.goto(contact.get_absolute_url())

    expect(page.get_by_role("tab", name="Meeting")).to_be_visible()
    page.get_by_role("tab", name="Meeting").click()
    expect(page.get_by_role("textbox", name="Meeting title")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert_accessible(page)
