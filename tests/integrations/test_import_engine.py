"""The import engine end to end: rows created, updated, skipped and failed, each accounted
for once, with the reasons in the error file."""

import pytest
from django.db import connection
from django.test import TestCase

from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.integrations import services
from clarion.integrations.models import ImportChange, ImportJob
from tests.integrations.import_support import csv_file, import_rows

HEADER = ["Email", "First Name", "Last Name", "Phone Number", "Lifecycle Stage"]

pytestmark = pytest.mark.django_db(transaction=False)


def test_new_rows_create_contacts_with_normalized_values(admin_user):
    job = import_rows(admin_user, [HEADER, ["Ada@Example.com ", "Ada", "Lovelace",
                                            "+44 20 7946 0958", "Lead"]])
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == \
        (1, 0, 0, 0)
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.phone, contact.lifecycle_stage) == \
        ("ada@example.com", "Ada", "+442079460958", "lead")
    assert contact.original_source == "import"
    assert contact.owner == admin_user


def test_bad_rows_fail_with_reasons_and_good_rows_still_land(admin_user):
    job = import_rows(admin_user, [HEADER, ["not-an-email", "A", "B", "", ""],
                                   ["ok@example.com", "Ok", "", "", "Nonsense stage"],
                                   ["good@example.com", "Good", "", "", ""]])
    assert (job.created_count, job.failed_count) == (1, 2)
    reasons = [error.reason for error in services.error_rows(job)]
    assert "not a valid email address" in reasons[0]
    assert "not one of the options" in reasons[1]
    assert [e.line for e in services.error_rows(job)] == [2, 3]
    assert "people-errors" in job.error_file.name and job.error_file.name.endswith(".csv")
    assert Contact.objects.get().email == "good@example.com"


def test_duplicate_within_the_file_is_skipped_naming_the_first_line(admin_user):
    job = import_rows(admin_user, [HEADER, ["a@example.com", "A", "", "", ""],
                                   ["A@example.com", "Again", "", "", ""]])
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert "line 2" in next(services.error_rows(job)).reason


def test_rerunning_the_same_file_changes_nothing(admin_user):
    rows = [HEADER, ["a@example.com", "A", "Z", "+14155550100", "lead"]]
    import_rows(admin_user, rows)
    events = Event.objects.count()
    version = Contact.objects.get().version
    job = import_rows(admin_user, rows)
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 0, 1)
    assert Contact.objects.get().version == version
    assert Event.objects.filter(kind="contact.imported").count() == 1
    assert Event.objects.count() == events + 3   # uploaded, started, finished


def test_update_changes_only_mapped_fields_and_lifecycle_moves_forward_only(admin_user):
    contact = Contact.objects.create(email="a@example.com", first_name="A", city="Paris",
                                     lifecycle_stage="customer")
    job = import_rows(admin_user, [["Email", "First Name", "Lifecycle Stage"],
                                   ["a@example.com", "Anna", "lead"]])
    contact.refresh_from_db()
    assert job.updated_count == 1
    assert (contact.first_name, contact.city, contact.lifecycle_stage) == \
        ("Anna", "Paris", "customer")
    event = Event.objects.get(kind="contact.imported")
    assert event.contact_id == contact.pk
    assert event.data == {"import": job.pk, "name": job.original_name, "action": "updated"}


def test_undo_removes_created_records_and_restores_updated_fields(admin_user):
    existing = Contact.objects.create(email="a@example.com", first_name="A")
    job = import_rows(admin_user, [["Email", "First Name"], ["a@example.com", "Changed"],
                                   ["new@example.com", "New"]])
    assert (job.created_count, job.updated_count) == (1, 1)
    services.undo_import(job, actor=admin_user)
    existing.refresh_from_db()
    assert existing.first_name == "A"
    assert list(Contact.objects.values_list("email", flat=True)) == ["a@example.com"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE


def test_imported_contacts_join_the_chosen_static_list(admin_user):
    from clarion.segments.models import SegmentMembership
    from clarion.segments.services import create_segment

    listed = create_segment(actor=admin_user, name="Webinar", kind="static")
    Contact.objects.create(email="old@example.com", first_name="Old")
    file_rows = [["Email", "First Name"], ["old@example.com", "Old"], ["new@example.com", "N"]]
    job = services.create_import(actor=admin_user, file=csv_file(file_rows), name="w.csv",
                                 object_type="contact", list=listed)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.start_import(job, actor=admin_user)
    members = SegmentMembership.objects.filter(segment=listed)
    assert sorted(members.values_list("contact__email", flat=True)) == \
        ["new@example.com", "old@example.com"]


def test_the_record_timeline_names_the_import(admin_user):
    from clarion.crm.extensions import describer_for

    import_rows(admin_user, [["Email"], ["a@example.com"]], name="fair.csv")
    event = Event.objects.get(kind="contact.imported")
    assert describer_for(event.kind)(event) == "Created by the import of “fair.csv”"


def test_matching_by_id_updates_the_record_and_refuses_an_email_taken_by_another(admin_user):
    first = Contact.objects.create(email="first@example.com", first_name="F")
    Contact.objects.create(email="taken@example.com", first_name="T")
    other = Contact.objects.create(email="other@example.com", first_name="O")
    job = import_rows(admin_user, [["Clarion ID", "Email", "First Name"],
                                   [str(first.pk), "First@Example.com", "Fiona"],
                                   [str(other.pk), "taken@example.com", "Nope"],
                                   ["", "taken@example.com", "New"],
                                   ["999999", "x@example.com", "Ghost"]],
                      match_by="id", mapping={"Clarion ID": "id", "Email": "email",
                                              "First Name": "first_name"})
    first.refresh_from_db()
    assert first.first_name == "Fiona"
    assert Contact.objects.get(pk=other.pk).first_name == "O"
    assert (job.created_count, job.updated_count, job.failed_count) == (0, 1, 3)
    reasons = " ".join(e.reason for e in services.error_rows(job))
    assert "Another contact already has the email address taken@example.com" in reasons
    assert "There is no record with ID 999999" in reasons


def test_create_mode_skips_existing_records_and_update_mode_skips_new_ones(admin_user):
    Contact.objects.create(email="old@example.com", first_name="Old")
    rows = [["Email", "First Name"], ["old@example.com", "Changed"],
            ["new@example.com", "New"]]
    created = import_rows(admin_user, rows, mode="create")
    assert (created.created_count, created.skipped_count) == (1, 1)
    assert Contact.objects.get(email="old@example.com").first_name == "Old"
    updated = import_rows(admin_user, [["Email", "First Name"], ["old@example.com", "Changed"],
                                       ["newer@example.com", "Newer"]], mode="update")
    assert (updated.updated_count, updated.skipped_count) == (1, 1)
    assert not Contact.objects.filter(email="newer@example.com").exists()


def test_records_the_importer_may_not_edit_are_not_changed(roles, admin_user):
    from clarion.accounts.services import create_user

    marketer = create_user(email="mo@example.com", password="correct horse battery",
                           first_name="Mo", role=roles["Marketing"])
    marketer.role.capabilities = [c for c in marketer.role.capabilities
                                  if c != "contacts.edit_all"] + ["contacts.edit_own"]
    marketer.role.save()
    marketer = type(marketer).objects.get(pk=marketer.pk)
    Contact.objects.create(email="theirs@example.com", first_name="Theirs", owner=admin_user)
    job = import_rows(marketer, [["Email", "First Name"], ["theirs@example.com", "Mine now"]])
    assert job.failed_count == 1
    assert Contact.objects.get().first_name == "Theirs"


def test_deals_import_into_the_named_pipeline_stage(admin_user):
    from clarion.crm.models import Deal, Pipeline, Stage

    Pipeline.objects.update(is_default=False)
    pipeline = Pipeline.objects.create(name="Imported deals", is_default=True)
    Stage.objects.create(pipeline=pipeline, name="New", position=0)
    won = Stage.objects.create(pipeline=pipeline, name="Closed won", position=1)
    job = import_rows(admin_user, [["Deal Name", "Amount", "Deal Stage", "Close Date"],
                                   ["Big one", "$12,500.50", "closed won", "2026-01-31"],
                                   ["Small", "100", "", ""],
                                   ["Lost", "5", "Nowhere", ""]],
                      object_type="deal", match_by="id")
    assert (job.created_count, job.failed_count) == (2, 1)
    big = Deal.objects.get(name="Big one")
    assert (big.stage, str(big.amount), big.close_date.isoformat()) == \
        (won, "12500.50", "2026-01-31")
    assert Deal.objects.get(name="Small").stage.name == "New"


def test_two_imports_with_different_columns_in_one_session(admin_user):
    Contact.objects.create(email="a@example.com")
    import_rows(admin_user, [["Email", "City"], ["a@example.com", "Oslo"]])
    import_rows(admin_user, [["Email", "Job Title", "Country"], ["a@example.com", "CEO", "NO"]])
    contact = Contact.objects.get()
    assert (contact.city, contact.job_title, contact.country) == ("Oslo", "CEO", "NO")


def test_undoing_a_contacts_and_companies_import_removes_the_companies_it_created(admin_user):
    from clarion.crm.models import Company

    kept = Company.objects.create(name="Kept Ltd", domain="kept.example.com")
    job = import_rows(admin_user, [["Email", "Company Name"], ["a@example.com", "New Co"],
                                   ["b@example.com", "kept ltd"]],
                      object_type="contact+company")
    assert Company.objects.count() == 2
    assert Contact.objects.get(email="b@example.com").company == kept
    services.undo_import(job, actor=admin_user)
    assert list(Company.objects.all()) == [kept]
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("header", ["Time zone", "timezone", "TZ"])
def test_time_zones_are_read_as_iana_names_in_any_usual_spelling(admin_user, header):
    job = import_rows(admin_user, [
        ["Email", header],
        ["a@example.com", "europe/paris"],
        ["b@example.com", "america_slash_new_york"],          # HubSpot's internal value
        ["c@example.com", "(GMT+08:00) Asia/Shanghai"],       # HubSpot's label
        ["d@example.com", "Mars/Olympus_Mons"],
        ["e@example.com", "+02:00"]])
    assert job.mapping[header] == "time_zone"
    assert (job.created_count, job.failed_count) == (3, 2)
    assert dict(Contact.objects.values_list("email", "time_zone")) == {
        "a@example.com": "Europe/Paris", "b@example.com": "America/New_York",
        "c@example.com": "Asia/Shanghai"}
    reasons = [error.reason for error in services.error_rows(job)]
    assert all("is not a time zone name" in reason for reason in reasons)
    # Updating by email sets the zone of an existing contact; the same file changes nothing.
    again = import_rows(admin_user, [["Email", header], ["a@example.com", "Asia/Tokyo"]])
    assert again.updated_count == 1
    assert Contact.objects.get(email="a@example.com").time_zone == "Asia/Tokyo"
    assert import_rows(admin_user, [["Email", header], ["a@example.com", "asia/tokyo"]]) \
        .updated_count == 0


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="on SQLite the import's write transaction keeps others out")
def test_a_contact_created_by_someone_else_during_the_chunk_fails_only_its_row(
        admin_user, monkeypatch):
    """Between matching a chunk and inserting it, someone creates a contact with one of its
    emails: that row fails with a reason, the rest of the chunk still lands, and its
    events and undo log name only the contacts the import created."""
    from clarion.integrations.imports import engine

    match = engine.ImportRun._match

    def match_then_someone_creates(self, candidates, result):
        matched = match(self, candidates, result)
        Contact.objects.create(email="taken@example.com", first_name="Meanwhile")
        return matched

    monkeypatch.setattr(engine.ImportRun, "_match", match_then_someone_creates)
    job = import_rows(admin_user, [HEADER, ["a@example.com", "A", "", "", ""],
                                   ["TAKEN@example.com", "T", "", "", ""],
                                   ["b@example.com", "B", "", "", ""]])
    assert (job.created_count, job.failed_count) == (2, 1)
    assert "during the import" in next(services.error_rows(job)).reason
    assert Contact.objects.get(email="taken@example.com").first_name == "Meanwhile"
    imported = set(Event.objects.filter(kind="contact.imported")
                   .values_list("contact_id", flat=True))
    assert imported == set(Contact.objects.filter(email__in=["a@example.com", "b@example.com"])
                           .values_list("id", flat=True))
    assert set(ImportChange.objects.filter(job=job).values_list("record_id", flat=True)) \
        == imported


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_matching_a_chunk_looks_keys_up_in_the_index_however_many_there_are(admin_user):
    """Shown a long list of keys, PostgreSQL expects as many matches and reads the whole
    contacts table for every chunk: the match must look each key up in the email index."""
    from bench.generate import copy_rows

    copy_rows("crm_contact", ["id", "email", "first_name"],
              ((n, f"old{n}@example.com", "Old") for n in range(1, 2001)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('crm_contact', 'id'), 2001)")
        cursor.execute("ANALYZE crm_contact")
    rows = [["Email", "First Name"]] + [[f"old{n}@example.com", "New"] for n in range(1, 51)]
    rows += [[f"new{n}@example.com", "New"] for n in range(1000)]
    matches = []

    def keep_matches(execute, sql, params, many, context):
        if sql.endswith("FOR UPDATE") and "crm_contact" in sql:
            matches.append(connection.ops.compose_sql(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep_matches):
        job = import_rows(admin_user, rows)
    assert (job.created_count, job.updated_count) == (1000, 50)
    [match] = matches
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {match}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "unique_contact_email" in plan and "Seq Scan" not in plan, plan
