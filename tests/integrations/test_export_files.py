"""What an export file holds: readable values, every custom property, formula-safe cells,
UTF-8 with a byte-order mark for Excel."""

import datetime
from decimal import Decimal

import pytest

from clarion.core.filters import build_catalogue
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact
from clarion.integrations.export_files import export_fields, neutralize, write_file
from tests.integrations.export_support import as_dicts, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db
PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def export(tmp_path, fmt: str, columns=None, queryset=None) -> list[dict]:
    path = tmp_path / f"out.{fmt}"
    fields = export_fields(build_catalogue(Contact, "contact"), columns)
    write_file(queryset if queryset is not None else Contact.objects.all(), fields, fmt, path)
    data = path.read_bytes()
    return as_dicts(csv_rows(data) if fmt == "csv" else xlsx_rows(data))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_text_starting_like_a_formula_gets_a_quote(prefix):
    assert neutralize(f"{prefix}cmd|' /C calc'!A0") == f"'{prefix}cmd|' /C calc'!A0"


def test_ordinary_text_is_left_alone():
    assert neutralize("Ada Lovelace") == "Ada Lovelace"
    assert neutralize("") == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_formula_cells_are_neutralized_in_the_file(tmp_path, fmt, prefix):
    Contact.objects.create(email="ada@example.com", job_title=f"{prefix}1+1",
                           first_name="Ada")

    row = export(tmp_path, fmt, ["job_title", "first_name"])[0]

    expected = f"'{prefix}1+1"
    # Without lxml, openpyxl's XML reads a carriage return back as a line feed.
    assert row["Job title"] in (expected, expected.replace("\r", "\n"))
    assert row["First name"] == "Ada"


def test_numbers_stay_numbers_even_when_negative(tmp_path):
    Company.objects.create(name="Acme", annual_revenue=Decimal("-12.50"), employees=3)
    path = tmp_path / "companies.xlsx"
    fields = export_fields(build_catalogue(Company, "company"), ["annual_revenue", "employees"])

    write_file(Company.objects.all(), fields, "xlsx", path)

    row = as_dicts(xlsx_rows(path.read_bytes()))[0]
    assert row["Annual revenue"] == -12.5
    assert row["Employees"] == 3


def test_csv_has_a_byte_order_mark_and_keeps_chinese_names(tmp_path):
    Contact.objects.create(email="li@example.com", first_name="小龙", last_name="李")

    row = export(tmp_path, "csv", ["last_name", "first_name"])[0]

    assert (row["Last name"], row["First name"]) == ("李", "小龙")


def test_xlsx_holds_readable_values(tmp_path, admin_user):
    PropertyDefinition.objects.create(
        object_type="contact", name="tier", label="Tier", type="select",
        options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}])
    PropertyDefinition.objects.create(object_type="contact", name="renewal", label="Renewal",
                                      type="date")
    company = Company.objects.create(name="Acme")
    contact = Contact.objects.create(
        email="ada@example.com", first_name="Ada", owner=admin_user, company=company,
        lifecycle_stage="customer", properties={"tier": "gold", "renewal": "2027-01-31"},
        created_at=datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC))

    row = export(tmp_path, "xlsx")[0]

    assert row["Clarion ID"] == contact.pk
    assert row["Owner"] == "admin@example.com"
    assert row["Company"] == "Acme"
    assert row["Lifecycle stage"] == "Customer"
    assert row["Tier"] == "Gold"
    assert row["Renewal"] == "2027-01-31"
    assert row["Created"] == "2026-03-04T05:06:07+00:00"


def test_all_properties_means_every_column_and_custom_property(tmp_path):
    PropertyDefinition.objects.create(object_type="contact", name="shoe_size",
                                      label="Shoe size", type="number")
    Contact.objects.create(email="ada@example.com", properties={"shoe_size": 38})

    row = export(tmp_path, "csv")[0]

    assert {"Clarion ID", "Email", "First name", "Owner", "Company", "Shoe size"} <= set(row)
    assert row["Shoe size"] == "38"


def raw_rows(tmp_path, queryset, columns) -> list[list[str]]:
    path = tmp_path / "out.csv"
    write_file(queryset, export_fields(build_catalogue(Contact, "contact"), columns), "csv",
               path)
    return csv_rows(path.read_bytes())


def test_chosen_columns_come_in_order_after_the_id(tmp_path):
    Contact.objects.create(email="ada@example.com", city="Paris")

    rows = raw_rows(tmp_path, Contact.objects.all(), ["city", "email", "no_such_column"])

    assert rows[0] == ["Clarion ID", "City", "Email"]


def test_an_empty_export_still_has_its_header(tmp_path):
    assert raw_rows(tmp_path, Contact.objects.none(), ["email"]) == [["Clarion ID", "Email"]]


def test_rows_are_read_in_chunks_with_bounded_queries(tmp_path, django_assert_max_num_queries,
                                                       admin_user):
    company = Company.objects.create(name="Acme")
    Contact.objects.bulk_create([Contact(email=f"p{i}@example.com", owner=admin_user,
                                         company=company) for i in range(30)])
    fields = export_fields(build_catalogue(Contact, "contact"), ["email", "owner", "company"])

    with django_assert_max_num_queries(3):
        count = write_file(Contact.objects.all(), fields, "csv", tmp_path / "c.csv")

    assert count == 30


def test_a_full_xlsx_sheet_continues_on_the_next_with_the_header(tmp_path, monkeypatch):
    from clarion.integrations import export_files

    monkeypatch.setattr(export_files, "XLSX_SHEET_ROWS", 2)
    Contact.objects.bulk_create([Contact(email=f"p{i}@example.com") for i in range(3)])
    path = tmp_path / "big.xlsx"

    count = write_file(Contact.objects.all(), export_fields(
        build_catalogue(Contact, "contact"), ["email"]), "xlsx", path)

    from openpyxl import load_workbook

    sheets = load_workbook(path, read_only=True).worksheets
    rows = [[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in sheets]
    assert count == 3
    assert [len(sheet_rows) for sheet_rows in rows] == [3, 2]
    assert rows[1][0] == ["Clarion ID", "Email"]
