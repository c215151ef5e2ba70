"""`clarion import FILE --object contacts --mode upsert`."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clarion.crm.models import Company, Contact

SAMPLES = Path(__file__).parent / "samples"


def run(*args) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_importing_a_file_prints_progress_and_a_summary(admin_user, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Email,First Name\nada@example.com,Ada\nbad,Bob\n", encoding="utf-8")
    output = run(str(path), "--object", "contacts", "--mode", "upsert")
    assert "Email → email" in output
    assert "[" in output and "rows" in output
    assert "1 created, 0 updated, 0 skipped, 1 failed" in output
    assert "people-errors" in output
    assert Contact.objects.get().first_name == "Ada"


def test_contacts_and_companies_from_a_vendor_export(admin_user):
    from clarion.accounts.services import create_user

    create_user(email="sam.seller@example.com", password="correct horse battery",
                first_name="Sam", last_name="Seller", role=admin_user.role)
    output = run(str(SAMPLES / "salesforce_contacts.csv"), "--object", "contacts+companies")
    assert "5 created" in output
    assert Company.objects.count() == 5


def test_columns_can_be_mapped_on_the_command_line(admin_user, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Mail,Vorname\nada@example.com,Ada\n", encoding="utf-8")
    run(str(path), "--object", "contacts", "--map", "Mail=email", "--map",
        "Vorname=first_name")
    assert Contact.objects.get().email == "ada@example.com"


def test_a_missing_file_or_list_is_an_error(admin_user, tmp_path):
    with pytest.raises(CommandError, match="No file"):
        run(str(tmp_path / "nope.csv"), "--object", "contacts")
    path = tmp_path / "people.csv"
    path.write_text("Email\nada@example.com\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No list"):
        run(str(path), "--object", "contacts", "--list", "Nope")


def test_the_command_is_part_of_the_clarion_cli():
    from clarion import cli

    with pytest.raises(SystemExit):
        cli.main(["clarion", "import", "--help"])
