"""Background entry points of imports. The database is the truth: the task only wakes a
worker, which claims the job (so a task delivered twice runs the import once)."""

from django.tasks import task

from clarion.integrations import services


@task()
def run_import_job(job_id: int) -> None:
    job = services.claim_import(job_id)
    if job is not None:
        services.run_import(job)
