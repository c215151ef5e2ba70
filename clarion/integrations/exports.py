"""Export jobs: what a person asked to export (a record type's filter, ticked records or a
segment; chosen columns or all; CSV or XLSX), run in the background by a worker that claims
the job, always within what the job's owner may see.

Writes: `request_export`, `run_export`. Reads: `exports_of`, `get_export_for`,
`export_queryset`.
"""

import logging
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clarion.core.filters import InvalidFilter, build_catalogue, compile_filter
from clarion.core.permissions import has_capability, visible_to
from clarion.crm.objects import OBJECT_TYPES, ObjectType
from clarion.integrations.export_files import FORMATS, export_fields, write_file
from clarion.integrations.models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_CAPABILITY = "data.export"
# How often (in rows) a running job records its progress for the exports page.
PROGRESS_EVERY = 10_000


def may_export(user) -> bool:
    return has_capability(user, EXPORT_CAPABILITY)


def object_type_named(name: str) -> ObjectType:
    """The record type of an export ("contact" or the plural "contacts")."""
    for object_type in OBJECT_TYPES.values():
        if name in (object_type.name, object_type.url_prefix):
            return object_type
    raise ValidationError(_("Choose contacts, companies or deals to export."))


# --- reads ------------------------------------------------------------------------------------

def exports_of(user) -> QuerySet:
    """The user's own exports, newest first."""
    return ExportJob.objects.filter(owner=user).select_related("segment").order_by(
        "-created_at", "-id")


def selection_label(job: ExportJob) -> str:
    """What the export holds, in words: "Members of VIP", "3 chosen records"…"""
    if job.segment_id:
        return _("Members of “%(segment)s”") % {"segment": job.segment.name}
    if job.record_ids:
        count = len(job.record_ids)
        return ngettext("%(count)s chosen record", "%(count)s chosen records", count) % {
            "count": count}
    if job.definition:
        return _("Records matching a filter")
    return _("All records")


def get_export_for(user, pk: int) -> ExportJob | None:
    """The export if it is the user's (only its owner may see or download it)."""
    return exports_of(user).filter(pk=pk).first()


def export_queryset(job: ExportJob) -> QuerySet:
    """The records the job writes: those its owner may see, narrowed by its filter, its
    ticked records and its segment."""
    queryset = records_matching(object_type_named(job.object_type), job.definition,
                                user=job.owner)
    if job.record_ids:
        queryset = queryset.filter(pk__in=job.record_ids)
    if job.segment_id:
        queryset = _segment_members(job, queryset)
    return queryset


def records_matching(kind: ObjectType, definition: dict | None, *, user=None) -> QuerySet:
    """The records of a type matching a filter, among those `user` may see (every record
    when no user is given: the command line run by an operator)."""
    queryset = kind.model.objects.all()
    if user is not None:
        queryset = visible_to(user, queryset)
    if definition:
        catalogue = build_catalogue(kind.model, kind.name)
        queryset = queryset.filter(compile_filter(definition, kind.model, user=user,
                                                  catalogue=catalogue))
    return queryset


def _segment_members(job: ExportJob, queryset: QuerySet) -> QuerySet:
    """A segment holds contacts: its members among the visible records."""
    from clarion.segments.models import SegmentMembership

    members = SegmentMembership.objects.filter(segment_id=job.segment_id).values("contact_id")
    return queryset.filter(pk__in=members)


# --- writes -----------------------------------------------------------------------------------

def request_export(*, actor, object_type: str, definition: dict | None = None,
                   record_ids: list[int] | None = None, segment=None,
                   columns: list[str] | None = None, fmt: str = "csv") -> ExportJob:
    """Queue an export of the records `actor` may see; the worker writes the file.
    Raises PermissionDenied without `data.export`, ValidationError for a bad request."""
    if not may_export(actor):
        raise PermissionDenied(_("You may not export records."))
    kind = object_type_named(object_type)
    if fmt not in FORMATS:
        raise ValidationError(_("Choose CSV or XLSX."))
    catalogue = build_catalogue(kind.model, kind.name)
    if definition:
        try:
            compile_filter(definition, kind.model, user=actor, catalogue=catalogue)
        except InvalidFilter as error:
            raise ValidationError(error.message) from error
    unknown = [name for name in columns or [] if name not in catalogue.fields and name != "id"]
    if unknown:
        raise ValidationError(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    job = ExportJob.objects.create(
        owner=actor, object_type=kind.name, definition=definition or {},
        record_ids=sorted(set(record_ids or [])), segment=segment, columns=columns or [],
        format=fmt, language=translation.get_language() or "")
    transaction.on_commit(lambda: enqueue_export(job.pk))
    return job


def enqueue_export(job_id: int) -> None:
    from clarion.integrations.export_tasks import run_export_job

    run_export_job.enqueue(job_id)


def claim_export(job_id: int) -> ExportJob | None:
    """Mark a queued job running; only one worker wins it, however often it is woken."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING)
    if not claimed:
        return None
    return ExportJob.objects.select_related("owner").get(pk=job_id)


def run_export(job_id: int) -> ExportJob | None:
    """Claim the job and write its file; None when another worker has it or had it."""
    job = claim_export(job_id)
    if job is None:
        return None
    try:
        with translation.override(job.language or None):
            _write(job)
    except Exception as error:  # the job records why it failed; the worker carries on
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(),
            error=_failure_message(error))
    job.refresh_from_db()
    return job


def _failure_message(error: Exception) -> str:
    if isinstance(error, PermissionDenied | ValidationError):
        return str(error.args[0] if error.args else error)
    if isinstance(error, InvalidFilter):
        return error.message
    return _("The export failed unexpectedly; try again or ask an administrator.")


def _write(job: ExportJob) -> None:
    if not may_export(job.owner):
        raise PermissionDenied(_("You may no longer export records."))
    kind = object_type_named(job.object_type)
    fields = export_fields(build_catalogue(kind.model, kind.name), job.columns)
    queryset = export_queryset(job)

    def progress(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(row_count=count)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{job.format}"
        count = write_file(queryset, fields, job.format, path, progress)
        with open(path, "rb") as written:
            job.file.save(download_name(job), File(written), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, row_count=count, status=ExportJob.Status.DONE,
        finished_at=timezone.now(), error="")


def download_name(job: ExportJob) -> str:
    """e.g. "contacts-2026-11-25-1542.csv"."""
    kind = object_type_named(job.object_type)
    stamp = timezone.localtime(job.created_at).strftime("%Y-%m-%d-%H%M")
    return f"{slugify(kind.url_prefix)}-{stamp}.{job.format}"
