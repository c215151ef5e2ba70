"""Every write of imports: upload, map, run, undo. The engine itself lives in
`clarion.integrations.imports`; these functions are what views, the API and the command call.

    create_import(actor=…, file=…, name=…, object_type=…)   -> ImportJob (columns + first rows)
    suggest_mapping(job)                                     -> {column: field} (stored)
    set_mapping(job, mapping, transforms, actor=…)
    create_property_for_column(job, column, actor=…, label=…, type=…)
    preview(job, limit=20)                                   -> [PreviewRow]
    start_import(job, actor=…)                               queues the background run
    run_import(job)                                          the engine (run by the task)
    undo_import(job, actor=…)
    error_rows(job)                                          rows not imported, with reasons
"""

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.events import emit
from clarion.core.permissions import has_capability, record_scope
from clarion.integrations.imports import parsing
from clarion.integrations.imports.engine import LEASE, MODELS, ImportRun
from clarion.integrations.imports.mapping import fields_for, record_type, suggest
from clarion.integrations.imports.transforms import InvalidTransform, check_transforms
from clarion.integrations.imports.validation import RowReader
from clarion.integrations.models import ImportJob, ImportRowError, ObjectType

SAMPLE_ROWS = 20
IMPORT_CAPABILITY = "data.import"


class ImportNotAllowed(PermissionDenied):
    pass


class ImportStateError(ValueError):
    """The import is not in a state that allows this (e.g. mapping a finished import)."""


@dataclass
class PreviewRow:
    line: int
    values: dict          # field name → the value as it will be stored, as text
    errors: list[str]


def check_may_import(actor, object_type: str) -> None:
    """Importing needs `data.import` and the right to edit records of the type."""
    area = MODELS[record_type(object_type)].capability_area
    if not has_capability(actor, IMPORT_CAPABILITY) or record_scope(actor, area, "edit") is None:
        raise ImportNotAllowed(_("You may not import %(records)s.")
                               % {"records": ObjectType(object_type).label})


@transaction.atomic
def create_import(*, actor, file, name: str, object_type: str, mode: str = "upsert",
                  match_by: str = "email", list=None) -> ImportJob:
    """Store the uploaded file (streamed to storage), detect its format, read its header and
    first rows and suggest a mapping. `list`: a static list (Segment) the imported contacts
    join."""
    if object_type not in ObjectType.values:
        raise ValidationError({"object_type": _("Unknown record type.")})
    check_may_import(actor, object_type)
    _check_options(object_type, mode, match_by)
    job = ImportJob(owner=actor if getattr(actor, "pk", None) else None,
                    object_type=object_type, mode=mode, match_by=match_by,
                    original_name=(name or getattr(file, "name", "") or "import.csv")[-255:])
    _check_list(list, object_type)
    job.list = list
    job.file.save(job.original_name.rsplit("/", 1)[-1], file, save=False)
    _read_head(job)
    job.mapping = suggest(job.headers, object_type)
    job.save()
    emit("import.uploaded", subject=job, actor=actor,
         data={"name": job.original_name, "object_type": object_type})
    return job


def _check_options(object_type: str, mode: str, match_by: str) -> None:
    if mode not in ("create", "update", "upsert"):
        raise ValidationError({"mode": _("Choose create, update or upsert.")})
    allowed = {"contact": ("email", "id"), "contact+company": ("email", "id"),
               "company": ("domain", "id"), "deal": ("id",)}[object_type]
    if match_by not in allowed:
        raise ValidationError({"match_by": _("%(records)s can be matched by: %(keys)s.") % {
            "records": ObjectType(object_type).label, "keys": ", ".join(allowed)}})


def _check_list(segment, object_type: str) -> None:
    if segment is None:
        return
    if record_type(object_type) != "contact" or not segment.is_static:
        raise ValidationError({"list": _("Only contacts can be added to a list, and only to "
                                         "a static one.")})


@transaction.atomic
def set_import_list(job: ImportJob, segment, *, actor) -> ImportJob:
    """Choose the static list the imported contacts join (None: no list)."""
    _check_editable(job, actor)
    _check_list(segment, job.object_type)
    job.list = segment
    job.save(update_fields=["list"])
    return job


def _read_head(job: ImportJob) -> None:
    with job.file.open("rb") as file:
        try:
            file_format = parsing.detect_format(file)
            rows = parsing.iter_rows(file, file_format)
            header = next(rows, None)
            sample = [row for row in itertools.islice(rows, SAMPLE_ROWS * 2)
                      if not parsing.is_blank(row)][:SAMPLE_ROWS]
        except (parsing.UnreadableFile, csv.Error, UnicodeError) as error:
            raise ValidationError({"file": str(error)}) from None
    if not header or parsing.is_blank(header):
        raise ValidationError({"file": _("The file has no header row naming its columns.")})
    job.encoding, job.delimiter = file_format.encoding, file_format.delimiter
    job.headers = parsing.clean_headers(header)
    job.sample = sample


def suggest_mapping(job: ImportJob) -> dict:
    """Map columns to fields by their headers (vendor export headers included) and store it."""
    job.mapping = suggest(job.headers, job.object_type)
    ImportJob.objects.filter(pk=job.pk).update(mapping=job.mapping)
    return job.mapping


def _check_editable(job: ImportJob, actor) -> None:
    if job.status != ImportJob.Status.UPLOADED:
        raise ImportStateError(_("This import has already started; its mapping can't change."))
    if actor is not None and job.owner_id not in (None, actor.pk) and \
            not has_capability(actor, "settings.manage"):
        raise ImportNotAllowed(_("Only the person who uploaded the file may change it."))


@transaction.atomic
def set_mapping(job: ImportJob, mapping: dict, transforms: dict | None = None, *,
                actor) -> ImportJob:
    """Set which field each column fills ("" leaves it out) and the columns' transforms."""
    _check_editable(job, actor)
    fields = fields_for(job.object_type)
    cleaned, used = {}, {}
    for column in job.headers:
        target = (mapping or {}).get(column) or ""
        if target and target not in fields:
            raise ValidationError({"mapping": _("“%(field)s” is not a field of %(records)s.")
                                   % {"field": target,
                                      "records": ObjectType(job.object_type).label}})
        if target and target in used:
            raise ValidationError({"mapping": _("Columns “%(first)s” and “%(second)s” both "
                                                "fill %(field)s.") % {
                "first": used[target], "second": column, "field": fields[target].label}})
        if target:
            used[target] = column
        cleaned[column] = target
    unknown = set(mapping or {}) - set(job.headers)
    if unknown:
        raise ValidationError({"mapping": _("There is no column “%(column)s” in the file.")
                               % {"column": sorted(unknown)[0]}})
    try:
        job.transforms = check_transforms(transforms or {}, job.headers)
    except InvalidTransform as error:
        raise ValidationError({"transforms": str(error)}) from None
    job.mapping = cleaned
    job.save(update_fields=["mapping", "transforms"])
    return job


@transaction.atomic
def create_property_for_column(job: ImportJob, column: str, *, actor, label: str,
                               type: str, options: list | None = None):
    """Define a new custom property for an unmapped column and map the column to it."""
    from clarion.core.properties.services import create_property

    _check_editable(job, actor)
    if column not in job.headers:
        raise ValidationError({"column": _("There is no column “%(column)s” in the file.")
                               % {"column": column}})
    if not has_capability(actor, "settings.manage"):
        raise ImportNotAllowed(_("You may not create properties."))
    if options is None and type in ("select", "multiselect"):
        options = _options_from_sample(job, column)
    definition = create_property(actor=actor, object_type=record_type(job.object_type),
                                 label=label, type=type, options=options)
    job.mapping = {**job.mapping, column: definition.name}
    job.save(update_fields=["mapping"])
    return definition


def _options_from_sample(job: ImportJob, column: str) -> list[dict]:
    index = job.headers.index(column)
    values = sorted({row[index].strip() for row in job.sample
                     if index < len(row) and row[index].strip()})
    return [{"value": value, "label": value} for value in values]


def preview(job: ImportJob, limit: int = SAMPLE_ROWS) -> list[PreviewRow]:
    """The first rows as they will be stored, with each row's validation problems; nothing
    is written."""
    reader = RowReader(object_type=job.object_type, headers=job.headers, mapping=job.mapping,
                       transforms=job.transforms, match_by=job.match_by, sample=job.sample)
    rows = []
    for line, cells in enumerate(job.sample[:limit], start=2):
        values, errors = reader.read(cells)
        rows.append(PreviewRow(line, values.display() if values else {}, errors))
    return rows


@transaction.atomic
def start_import(job: ImportJob, *, actor) -> ImportJob:
    """Queue the import; a background worker runs it. Starting twice changes nothing."""
    check_may_import(actor, job.object_type)
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
        status=ImportJob.Status.QUEUED)
    job.refresh_from_db()
    if not updated:
        return job
    if not any(job.mapping.values()):
        raise ValidationError({"mapping": _("Map at least one column before importing.")})
    emit("import.started", subject=job, actor=actor, data={"name": job.original_name})
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from clarion.integrations.tasks import run_import_job

    run_import_job.enqueue(job_id)


def claim_import(job_id: int) -> ImportJob | None:
    """Take the job for this worker: a queued one, or a running one whose worker's lease
    ran out (it resumes after the last committed chunk). None when someone else has it."""
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(
        status=ImportJob.Status.RUNNING, claimed_until__lt=now)
    with transaction.atomic():
        taken = ImportJob.objects.filter(claimable, pk=job_id).update(
            status=ImportJob.Status.RUNNING, claimed_until=now + LEASE)
        if not taken:
            return None
        ImportJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return ImportJob.objects.select_related("owner").get(pk=job_id)


def run_import(job: ImportJob, progress: Callable | None = None) -> ImportJob:
    """Run the engine over the whole file, then write the error file and finish the job.
    `progress(job, chunk_result)` is called after each committed chunk."""
    if job.status != ImportJob.Status.RUNNING:
        job = claim_import(job.pk) or job
        if job.status != ImportJob.Status.RUNNING:
            return job
    if job.total_rows is None:
        with job.file.open("rb") as file:
            job.total_rows = parsing.estimate_rows(file, parsing.FileFormat(
                "xlsx" if not job.encoding else "csv", job.encoding, job.delimiter))
        ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    try:
        ImportRun(job).run(progress)
    except Exception as error:
        _finish(job, ImportJob.Status.FAILED, error=str(error) or type(error).__name__)
        raise
    _write_error_file(job)
    return _finish(job, ImportJob.Status.DONE)


@transaction.atomic
def _finish(job: ImportJob, status: str, error: str = "") -> ImportJob:
    job.refresh_from_db()
    job.status, job.error, job.finished_at = status, error, timezone.now()
    if status == ImportJob.Status.DONE:
        job.total_rows = job.processed_rows
    job.claimed_until = None
    job.save(update_fields=["status", "error", "finished_at", "total_rows", "claimed_until",
                            "error_file"])
    emit(f"import.{'finished' if status == ImportJob.Status.DONE else 'failed'}", subject=job,
         actor=job.owner, data={"name": job.original_name, "created": job.created_count,
                                "updated": job.updated_count, "skipped": job.skipped_count,
                                "failed": job.failed_count, "error": error})
    return job


def error_rows(job: ImportJob) -> Iterator[ImportRowError]:
    """The rows that failed or were skipped for a reason, in file order."""
    return job.row_errors.order_by("line", "id").iterator(chunk_size=2000)


def error_csv_lines(job: ImportJob) -> Iterator[str]:
    """The error file as CSV text lines: line number, outcome, reason, then the original
    columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_("Line"), _("Outcome"), _("Reason"), *job.headers])
    yield flush()
    for error in error_rows(job):
        writer.writerow([error.line, _("skipped") if error.skipped else _("failed"),
                         error.reason, *error.row])
        yield flush()


def _write_error_file(job: ImportJob) -> None:
    if not job.row_errors.exists():
        return
    content = "".join(error_csv_lines(job)).encode("utf-8-sig")  # BOM: Excel reads UTF-8
    base = job.original_name.rsplit(".", 1)[0]
    job.error_file.save(f"{base}-errors.csv", ContentFile(content), save=False)
    ImportJob.objects.filter(pk=job.pk).update(error_file=job.error_file.name)


UNDO_BATCH = 2000


@transaction.atomic
def undo_import(job: ImportJob, *, actor) -> ImportJob:
    """Remove the records the import created and restore the fields it updated."""
    from clarion.core.events import NewEvent, emit_many

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.DONE:
        raise ImportStateError(_("Only a finished import can be undone."))
    check_may_import(actor, job.object_type)
    for type_name in ("contact", "deal", "company"):
        model = MODELS[type_name]
        _restore_updated(job, model, type_name)
        created = job.changes.filter(record_type=type_name, action="created") \
            .values_list("record_id", flat=True)
        ids = list(created)
        for start in range(0, len(ids), UNDO_BATCH):
            batch = ids[start:start + UNDO_BATCH]
            emit_many(NewEvent(f"{type_name}.deleted", actor=actor,
                               data={"id": pk, "type": type_name, "import": job.pk,
                                     "label": job.original_name})
                      for pk in batch)
            model.objects.filter(pk__in=batch).delete()
    job.status = ImportJob.Status.UNDONE
    job.save(update_fields=["status"])
    emit("import.undone", subject=job, actor=actor, data={"name": job.original_name})
    return job


def _restore_updated(job: ImportJob, model, type_name: str) -> None:
    changes = job.changes.filter(record_type=type_name, action="updated") \
        .values_list("record_id", "previous")
    for batch in _batched(changes.iterator(chunk_size=UNDO_BATCH), UNDO_BATCH):
        previous_by_id = dict(batch)
        records = list(model.objects.filter(pk__in=previous_by_id))
        touched: set[str] = {"properties", "updated_at", "version"}
        for record in records:
            previous = previous_by_id[record.pk]
            for name, value in previous.items():
                if name == "properties":
                    record.properties = _restored_properties(record.properties, value)
                    continue
                model_field = model._meta.get_field(name) if not name.endswith("_id") else \
                    model._meta.get_field(name[:-3])
                setattr(record, model_field.attname, model_field.to_python(value))
                touched.add(model_field.attname)
            record.updated_at = timezone.now()
            record.version += 1
        touched_names = [model._meta.get_field(n[:-3] if n.endswith("_id") else n).name
                         for n in touched]
        model.objects.bulk_update(records, touched_names, batch_size=500)


def _restored_properties(current: dict, previous: dict) -> dict:
    restored = dict(current or {})
    for name, value in previous.items():
        if value is None:
            restored.pop(name, None)
        else:
            restored[name] = value
    return restored


def _batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
