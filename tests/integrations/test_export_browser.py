"""Exporting from the contacts list in a real browser: tick rows, choose XLSX in the Export
dialog, follow the export on the exports page and download a file holding those rows; every
page checked with axe."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from clarion.accounts.services import create_user, ensure_default_roles
from clarion.crm.models import Contact
from tests.browser.conftest import assert_accessible, browser, live_url, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def maya(transactional_db):
    roles = ensure_default_roles()
    Contact.objects.create(email="olga@example.com", first_name="Olga", city="Oslo")
    Contact.objects.create(email="li@example.com", first_name="小龙", last_name="李",
                           city="=cmd|' /C calc'!A0")
    Contact.objects.create(email="rita@example.com", first_name="Rita", city="Rome")
    return create_user(email="maya@example.com", password=PASSWORD, first_name="Maya",
                       role=roles["Marketing"])


def test_export_ticked_contacts_to_xlsx_and_download(page, maya):  # noqa: F811
    login(page, maya.email, PASSWORD)
    page.goto("/contacts/?columns=email,city")
    expect(page.get_by_text("3 contacts")).to_be_visible()
    page.get_by_label("Select Olga").check()
    page.get_by_label("Select 李小龙").check()

    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog", name="Export contacts")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-selection-count]")).to_have_text("2")
    assert_accessible(page)
    dialog.get_by_label("Excel (XLSX)").check()
    dialog.get_by_role("button", name="Start export").click()

    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()
    expect(page.get_by_text("The export has started")).to_be_visible()
    link = page.get_by_role("link", name="Download export")
    expect(link).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Clarion ID", "First name", "Last name", "Email", "City"]
    assert sorted(row[3] for row in rows[1:]) == ["li@example.com", "olga@example.com"]
    li = next(row for row in rows if row[3] == "li@example.com")
    assert (li[1], li[2], li[4]) == ("小龙", "李", "'=cmd|' /C calc'!A0")
