"""`clarion export` writes the same files from the command line."""

import json

import pytest
from django.core.management import CommandError, call_command

from clarion.crm.models import Contact
from tests.integrations.export_support import as_dicts, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


def test_exports_every_contact_to_csv(tmp_path, capsys):
    Contact.objects.create(email="ada@example.com")
    Contact.objects.create(email="bob@example.com")
    output = tmp_path / "contacts.csv"

    call_command("export", "--object", "contacts", "--output", str(output))

    emails = sorted(row["Email"] for row in as_dicts(csv_rows(output.read_bytes())))
    assert emails == ["ada@example.com", "bob@example.com"]
    assert "Exported 2 contacts" in capsys.readouterr().out


def test_a_filter_and_the_xlsx_format(tmp_path):
    Contact.objects.create(email="ada@acme.com", city="Paris")
    Contact.objects.create(email="bob@other.org")
    output = tmp_path / "acme.xlsx"
    tree = {"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"}]}

    call_command("export", "--object", "contacts", "--filter", json.dumps(tree),
                 "--columns", "email,city", "--output", str(output))

    assert xlsx_rows(output.read_bytes())[1][1:] == ["ada@acme.com", "Paris"]


def test_as_a_user_only_their_visible_records(tmp_path, sales_user, admin_user):
    from clarion.crm.models import Deal, Pipeline, Stage

    sales_user.role.capabilities.append("data.export")
    sales_user.role.save(update_fields=["capabilities"])
    pipeline = Pipeline.objects.create(name="Sales")
    stage = Stage.objects.create(pipeline=pipeline, name="New")
    Deal.objects.create(name="Mine", owner=sales_user, pipeline=pipeline, stage=stage)
    Deal.objects.create(name="Theirs", owner=admin_user, pipeline=pipeline, stage=stage)
    output = tmp_path / "deals.csv"

    call_command("export", "--object", "deals", "--user", sales_user.email,
                 "--output", str(output))

    assert [row["Name"] for row in as_dicts(csv_rows(output.read_bytes()))] == ["Mine"]


def test_a_user_without_the_export_capability_is_refused(tmp_path, sales_user):
    with pytest.raises(CommandError, match="may not export"):
        call_command("export", "--object", "contacts", "--user", sales_user.email,
                     "--output", str(tmp_path / "x.csv"))


def test_a_bad_filter_is_explained(tmp_path):
    with pytest.raises(CommandError, match="did you mean"):
        call_command("export", "--object", "contacts", "--output", str(tmp_path / "x.csv"),
                     "--filter", json.dumps({"property": "emial", "op": "eq", "value": "x"}))
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("export", "--object", "contacts", "--output", str(tmp_path / "x.csv"),
                     "--filter", "{")
