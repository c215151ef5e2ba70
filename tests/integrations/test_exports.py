"""Export jobs: queued by a person who may export, claimed once by the worker, holding only
the records their owner may see."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clarion.accounts.services import create_user
from clarion.crm.models import Contact, Deal, Pipeline, Stage
from clarion.integrations import exports
from clarion.integrations.models import ExportJob
from clarion.segments.models import Segment, SegmentMembership
from tests.integrations.export_support import as_dicts, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter(sales_user):
    """A sales rep (own deals only) whose role also lets them export."""
    sales_user.role.capabilities.append("data.export")
    sales_user.role.save(update_fields=["capabilities"])
    return sales_user


@pytest.fixture
def stage(db):
    pipeline = Pipeline.objects.create(name="Sales", is_default=True)
    return Stage.objects.create(pipeline=pipeline, name="New")


def run(job: ExportJob) -> ExportJob:
    exports.run_export(job.pk)
    job.refresh_from_db()
    return job


def file_rows(job: ExportJob) -> list[dict]:
    with job.file.open("rb") as handle:
        data = handle.read()
    return as_dicts(csv_rows(data) if job.format == "csv" else xlsx_rows(data))


def test_an_export_is_queued_then_written_by_the_worker(admin_user,
                                                        django_capture_on_commit_callbacks):
    Contact.objects.create(email="ada@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        job = exports.request_export(actor=admin_user, object_type="contacts")

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.row_count == 1
    assert [row["Email"] for row in file_rows(job)] == ["ada@example.com"]


def test_a_sales_reps_export_holds_only_the_deals_they_may_see(exporter, admin_user, stage):
    Deal.objects.create(name="Mine", owner=exporter, pipeline=stage.pipeline, stage=stage)
    Deal.objects.create(name="Theirs", owner=admin_user, pipeline=stage.pipeline, stage=stage)

    job = run(exports.request_export(actor=exporter, object_type="deal"))

    assert [row["Name"] for row in file_rows(job)] == ["Mine"]
    assert job.row_count == 1


def test_exporting_needs_the_export_capability(sales_user):
    with pytest.raises(PermissionDenied):
        exports.request_export(actor=sales_user, object_type="contact")
    assert not ExportJob.objects.exists()


def test_a_job_whose_owner_lost_the_capability_fails_without_a_file(exporter):
    job = exports.request_export(actor=exporter, object_type="contact")
    exporter.role.capabilities.remove("data.export")
    exporter.role.save(update_fields=["capabilities"])

    job = run(job)

    assert job.status == ExportJob.Status.FAILED
    assert "no longer export" in job.error
    assert not job.file


def test_the_worker_claims_a_job_once_however_often_it_is_woken(admin_user):
    Contact.objects.create(email="ada@example.com")
    job = exports.request_export(actor=admin_user, object_type="contact")

    first = exports.run_export(job.pk)
    second = exports.run_export(job.pk)

    assert first.status == ExportJob.Status.DONE
    assert second is None
    job.refresh_from_db()
    assert job.row_count == 1


def test_a_running_job_is_not_claimed_again(admin_user):
    job = exports.request_export(actor=admin_user, object_type="contact")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

    assert exports.run_export(job.pk) is None


def test_the_filter_and_ticked_records_narrow_the_export(admin_user):
    ada = Contact.objects.create(email="ada@acme.com")
    Contact.objects.create(email="bob@acme.com")
    Contact.objects.create(email="cy@other.org")
    acme = {"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"}]}

    everyone_at_acme = run(exports.request_export(actor=admin_user, object_type="contact",
                                                  definition=acme))
    only_ada = run(exports.request_export(actor=admin_user, object_type="contact",
                                          definition=acme, record_ids=[ada.pk]))

    assert sorted(r["Email"] for r in file_rows(everyone_at_acme)) == ["ada@acme.com",
                                                                       "bob@acme.com"]
    assert [r["Email"] for r in file_rows(only_ada)] == ["ada@acme.com"]


def test_a_segment_export_holds_its_members(admin_user):
    member = Contact.objects.create(email="in@example.com")
    Contact.objects.create(email="out@example.com")
    segment = Segment.objects.create(name="VIP", kind=Segment.Kind.STATIC)
    SegmentMembership.objects.create(segment=segment, contact=member)

    job = run(exports.request_export(actor=admin_user, object_type="contact",
                                     segment=segment, fmt="xlsx"))

    assert [row["Email"] for row in file_rows(job)] == ["in@example.com"]


def test_a_bad_filter_or_unknown_column_is_refused_before_queueing(admin_user):
    with pytest.raises(ValidationError):
        exports.request_export(actor=admin_user, object_type="contact",
                               definition={"property": "emial", "op": "eq", "value": "x"})
    with pytest.raises(ValidationError):
        exports.request_export(actor=admin_user, object_type="contact", columns=["nope"])
    assert not ExportJob.objects.exists()


def test_only_the_owner_finds_their_export(admin_user, roles):
    job = exports.request_export(actor=admin_user, object_type="contact")
    colleague = create_user(email="col@example.com", password="correct horse battery",
                            role=roles["Admin"])

    assert exports.get_export_for(admin_user, job.pk) == job
    assert exports.get_export_for(colleague, job.pk) is None


def test_the_sweep_wakes_exports_whose_wake_up_was_lost(admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from clarion.integrations.export_tasks import sweep_lost_exports

    Contact.objects.create(email="ada@example.com")
    lost = exports.request_export(actor=admin_user, object_type="contact")
    fresh = exports.request_export(actor=admin_user, object_type="contact")
    ExportJob.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(minutes=10))

    sweep_lost_exports()

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, fresh.status) == (ExportJob.Status.DONE, ExportJob.Status.QUEUED)


def test_an_export_says_what_it_holds(admin_user):
    segment = Segment.objects.create(name="VIP", kind=Segment.Kind.STATIC)
    label = exports.selection_label

    assert label(exports.request_export(actor=admin_user, object_type="contact")) == \
        "All records"
    assert label(exports.request_export(actor=admin_user, object_type="contact",
                                        record_ids=[3, 4])) == "2 chosen records"
    assert label(exports.request_export(actor=admin_user, object_type="contact",
                                        segment=segment)) == "Members of “VIP”"
