"""The import wizard in a real browser, every page checked with axe: upload a CSV with one
bad row, see the mapping filled in, the bad row in the preview, run it, read the results,
download the error file and undo; the mapping page fits a 390 px phone."""

import re

import pytest
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Contact
from clarion.integrations.models import ImportJob
from tests.browser.conftest import assert_accessible, browser, live_url, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"
CSV = (b"First Name,Last Name,Email Address,Lifecycle Stage\r\n"
       b"Ada,Lovelace,ada@example.com,customer\r\n"
       b"Bob,Broken,not-an-email,lead\r\n"
       b"Grace,Hopper,grace@example.com,lead\r\n")


@pytest.fixture
def admin(transactional_db):
    roles = ensure_default_roles()
    return create_user(email="ada.admin@example.com", password=PASSWORD, first_name="Ada",
                       role=roles["Admin"], is_admin=True)


def fits_width(on_page, width: int) -> bool:
    return on_page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_import_a_file_with_a_bad_row_then_undo_it(page, admin):  # noqa: F811
    login(page, admin.email, PASSWORD)
    page.goto("/integrations/")
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import records")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("File").set_input_files(
        {"name": "fair.csv", "mimeType": "text/csv", "buffer": CSV})
    expect(page.get_by_text("fair.csv (1 KB)")).to_be_visible()
    page.get_by_label("Records to import").select_option("company")
    expect(page.get_by_label("Match existing records by")).to_have_value("domain")
    page.get_by_label("Records to import").select_option("contact")
    expect(page.get_by_label("Match existing records by")).to_have_value("email")
    page.get_by_label("Create and update records").check()
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_role("heading", name="Map the columns of fair.csv")).to_be_visible()
    expect(page.get_by_label("Property for “Email Address”")).to_have_value("email")
    expect(page.get_by_label("Property for “First Name”")).to_have_value("first_name")
    expect(page.get_by_label("Property for “Lifecycle Stage”")).to_have_value(
        "lifecycle_stage")
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 800})
    assert fits_width(page, 390)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview of fair.csv")).to_be_visible()
    bad_row = page.get_by_role("row").filter(has_text="not-an-email")
    expect(bad_row.get_by_text("Problem", exact=True)).to_be_visible()
    expect(page.get_by_text("1 row shown has a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start import").click()

    expect(page.get_by_role("heading", name="Import finished")).to_be_visible()
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download error file").click()
    download = download_info.value
    assert download.suggested_filename == "fair-errors.csv"
    with open(download.path(), encoding="utf-8-sig") as error_file:
        lines = error_file.read().splitlines()
    assert lines[0] == "Line,Outcome,Reason,First Name,Last Name,Email Address,Lifecycle Stage"
    assert lines[1].startswith("3,Failed,") and lines[1].endswith("Bob,Broken,not-an-email,lead")
    assert Contact.objects.count() == 2

    page.get_by_role("button", name="Undo import").click()
    dialog = page.get_by_role("dialog", name="Undo this import?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("The 2 records the import created will be deleted.")).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Undo import").click()
    expect(page.get_by_text("The import was undone.")).to_be_visible()
    expect(page.get_by_role("heading", name="This import was undone")).to_be_visible()
    assert_accessible(page)
    assert Contact.objects.count() == 0
    assert ImportJob.objects.get().status == ImportJob.Status.UNDONE

    page.goto("/integrations/")
    expect(page.get_by_role("link", name="fair.csv")).to_be_visible()
    expect(page.get_by_text("Undone")).to_be_visible()
    assert_accessible(page)


def test_an_unreadable_file_is_refused_on_the_upload_page(page, admin):  # noqa: F811
    login(page, admin.email, PASSWORD)
    page.goto("/imports/new/")
    page.get_by_label("File").set_input_files(
        {"name": "empty.csv", "mimeType": "text/csv", "buffer": b""})
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields")
    expect(page.get_by_label("File")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/imports/new/$"))
    assert_accessible(page)
