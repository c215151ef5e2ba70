"""Background entry point of exports. The task carries only the job's id: the worker claims
the job in the database, so a wake-up delivered twice writes the file once."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from clarion.integrations import exports
from clarion.integrations.models import ExportJob

# A queued job older than this was probably never woken (a lost task message).
LOST_AFTER = timedelta(minutes=2)


@task()
def run_export_job(job_id: int) -> str:
    job = exports.run_export(job_id)
    return job.status if job else "claimed elsewhere"


def sweep_lost_exports() -> None:
    """The scheduler's safety net: wake the worker again for jobs still queued long after
    they were asked for."""
    stale = ExportJob.objects.filter(status=ExportJob.Status.QUEUED,
                                     created_at__lt=timezone.now() - LOST_AFTER)
    for job_id in stale.values_list("pk", flat=True)[:100]:
        run_export_job.enqueue(job_id)
