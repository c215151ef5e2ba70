"""Reading uploaded files: encodings, delimiters, quoted multi-line fields, XLSX; the
mapping step (suggestions, transforms, new properties) and the preview."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from clarion.core.properties.models import PropertyDefinition
from clarion.core.properties.services import create_property
from clarion.crm.models import Contact
from clarion.integrations import services
from clarion.integrations.imports.parsing import detect_encoding
from tests.integrations.import_support import csv_file, import_rows

ROWS = [["Email", "First Name", "City"], ["li@example.com", "李", "北京"],
        ["zoe@example.com", "Zoë", "Zürich"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1"])
def test_common_encodings_are_detected(admin_user, encoding):
    rows = ROWS if encoding not in ("latin-1",) else [ROWS[0], ROWS[2]]
    job = import_rows(admin_user, rows, encoding=encoding)
    assert job.failed_count == 0
    assert Contact.objects.get(email="zoe@example.com").city == "Zürich"
    if encoding != "latin-1":
        assert Contact.objects.get(email="li@example.com").first_name == "李"


def test_gbk_chinese_is_not_taken_for_latin_1():
    assert detect_encoding("王伟,上海市浦东新区\n".encode("gbk")) == "gb18030"
    assert detect_encoding("Müller,Straße,Genève\n".encode("latin-1")) in ("cp1252",
                                                                          "latin-1")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(admin_user, delimiter):
    job = import_rows(admin_user, ROWS, delimiter=delimiter)
    assert job.delimiter == delimiter
    assert job.created_count == 2


def test_quoted_fields_with_line_breaks_and_delimiters_stay_one_cell(admin_user):
    description = PropertyDefinition.objects.create(object_type="contact", name="notes",
                                                    label="Notes", type="textarea")
    job = import_rows(admin_user, [["Email", "Notes"],
                                   ["a@example.com", "first line\nsecond, with comma"],
                                   ["b@example.com", "plain"]])
    assert job.created_count == 2
    contact = Contact.objects.get(email="a@example.com")
    assert contact.properties[description.name] == "first line\nsecond, with comma"
    # The line numbers count rows as a spreadsheet does.
    assert [row.line for row in services.preview(job)] == [2, 3]


def test_xlsx_workbooks_import_with_typed_cells(admin_user):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Email", "First Name", "Create Date", "Mobile"])
    import datetime

    sheet.append(["x@example.com", "Xia", datetime.datetime(2024, 5, 6, 7, 8), 14155550100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = ContentFile(buffer.getvalue(), name="people.xlsx")
    job = services.create_import(actor=admin_user, file=file, name="people.xlsx",
                                 object_type="contact")
    assert job.headers == ["Email", "First Name", "Create Date", "Mobile"]
    assert job.mapping["Mobile"] == "mobile_phone"
    services.start_import(job, actor=admin_user)
    job = services.run_import(services.claim_import(job.pk))
    assert job.created_count == 1
    contact = Contact.objects.get()
    assert contact.created_at.year == 2024
    assert contact.mobile_phone == "+14155550100"


def test_a_file_that_is_not_a_table_is_refused(admin_user):
    with pytest.raises(ValidationError):
        services.create_import(actor=admin_user, file=ContentFile(b"", name="empty.csv"),
                               name="empty.csv", object_type="contact")


def test_transforms_split_names_read_day_first_dates_and_map_picklist_values(admin_user):
    create_property(actor=admin_user, object_type="contact", label="Joined", type="date")
    job = import_rows(
        admin_user, [["Email", "Name", "Joined", "Stage"],
                     ["a@example.com", "Mary Ann Smith", "03/04/2024", "Hot"]],
        mapping={"Email": "email", "Name": "full_name", "Joined": "joined",
                 "Stage": "lifecycle_stage"},
        transforms={"Joined": {"kind": "date_format", "format": "%d/%m/%Y"},
                    "Stage": {"kind": "map_values", "values": {"hot": "mql"}}})
    assert job.failed_count == 0, [e.reason for e in services.error_rows(job)]
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name) == ("Mary Ann", "Smith")
    assert contact.properties["joined"] == "2024-04-03"
    assert contact.lifecycle_stage == "mql"


def test_preview_shows_stored_values_and_problems_without_writing(admin_user):
    file = csv_file([["Email", "Phone"], ["A@Example.com", "+1 (415) 555-0100"],
                     ["bad", "12"]])
    job = services.create_import(actor=admin_user, file=file, name=file.name,
                                 object_type="contact")
    first, second = services.preview(job)
    assert first.values == {"email": "a@example.com", "phone": "+14155550100"}
    assert first.errors == []
    assert len(second.errors) == 2
    assert Contact.objects.count() == 0


def test_a_new_property_can_be_made_from_an_unmapped_column(admin_user):
    file = csv_file([["Email", "Tier"], ["a@example.com", "Gold"], ["b@example.com", "Silver"]])
    job = services.create_import(actor=admin_user, file=file, name=file.name,
                                 object_type="contact")
    assert job.mapping["Tier"] == ""
    definition = services.create_property_for_column(job, "Tier", actor=admin_user,
                                                     label="Tier", type="select")
    assert definition.option_values == ["Gold", "Silver"]
    assert job.mapping["Tier"] == definition.name


def test_mapping_rejects_unknown_fields_and_two_columns_for_one_field(admin_user):
    file = csv_file([["Email", "E-mail"], ["a@example.com", "a@example.com"]])
    job = services.create_import(actor=admin_user, file=file, name=file.name,
                                 object_type="contact")
    with pytest.raises(ValidationError):
        services.set_mapping(job, {"Email": "emial"}, actor=admin_user)
    with pytest.raises(ValidationError):
        services.set_mapping(job, {"Email": "email", "E-mail": "email"}, actor=admin_user)


def test_a_column_written_day_first_is_read_day_first_throughout(admin_user):
    import_rows(admin_user, [["Email", "Create Date"], ["a@example.com", "31/12/2024"],
                             ["b@example.com", "03/04/2024"]])
    created = dict(Contact.objects.values_list("email", "created_at"))
    assert (created["a@example.com"].month, created["a@example.com"].day) == (12, 31)
    assert (created["b@example.com"].month, created["b@example.com"].day) == (4, 3)


def test_a_column_without_a_day_above_12_is_read_month_first(admin_user):
    import_rows(admin_user, [["Email", "Create Date"], ["b@example.com", "03/04/2024"]])
    created = Contact.objects.get().created_at
    assert (created.month, created.day) == (3, 4)
