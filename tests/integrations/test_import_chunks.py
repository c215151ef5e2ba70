"""Chunked runs: chunks commit in file order (on PostgreSQL written by parallel writer
threads), and an import whose worker died resumes after the last committed chunk."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.crm.models import Contact
from clarion.integrations import services
from clarion.integrations.imports import engine
from clarion.integrations.models import ImportJob
from tests.integrations.import_support import csv_file

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [["Email", "First Name"]] + [[f"p{n}@example.com", f"P{n}"] for n in range(23)] + [
    ["broken", "X"], ["p0@example.com", "Duplicate"]]


class WorkerDied(Exception):
    pass


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_ROWS", 4)


def queued_job(actor):
    job = services.create_import(actor=actor, file=csv_file(ROWS), name="people.csv",
                                 object_type="contact")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    return job


def test_many_chunks_account_for_every_row_once(admin_user, small_chunks):
    seen = []
    job = services.run_import(queued_job(admin_user),
                              lambda job, result: seen.append(job.processed_rows))
    assert seen == sorted(seen) and seen[-1] == 25
    assert (job.created_count, job.skipped_count, job.failed_count) == (23, 1, 1)
    assert Contact.objects.count() == 23


def test_an_interrupted_import_resumes_after_its_last_committed_chunk(admin_user,
                                                                        small_chunks):
    def die_after_two_chunks(job, result):
        if job.processed_rows >= 8:
            raise WorkerDied

    with pytest.raises(WorkerDied):
        services.run_import(queued_job(admin_user), die_after_two_chunks)
    job = ImportJob.objects.get()
    committed = job.processed_rows
    assert committed >= 8 and Contact.objects.count() == committed
    # The worker's lease runs out; another worker claims the job and carries on.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING,
                                               claimed_until=timezone.now()
                                               - timedelta(seconds=1))
    job = services.run_import(services.claim_import(job.pk))
    assert job.status == ImportJob.Status.DONE
    assert job.processed_rows == 25
    assert (job.created_count, job.updated_count, job.skipped_count, job.failed_count) == \
        (23, 0, 1, 1)
    assert Contact.objects.count() == 23


def test_a_claimed_import_is_not_run_twice(admin_user):
    job = queued_job(admin_user)
    assert services.claim_import(job.pk) is not None
    assert services.claim_import(job.pk) is None
