"""What the import wizard's pages show: each column with its samples and choices, the
preview rows with their problems, the results; and the small actions on a finished import
(its error file as CSV, adding its contacts to a static list)."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from clarion.core.permissions import has_capability
from clarion.core.properties.models import PropertyType
from clarion.integrations import services as import_services
from clarion.integrations.export_files import neutralize
from clarion.integrations.forms import (
    DATE_FORMAT_CHOICES,
    TRANSFORM_CHOICES,
    format_value_map,
)
from clarion.integrations.imports.mapping import fields_for
from clarion.integrations.models import ImportChange, ImportJob

SAMPLES_SHOWN = 3
PREVIEW_ROWS = 20


@dataclass
class Column:
    """One column of the file on the mapping page."""

    index: int
    header: str
    samples: list[str]
    mapped_to: str
    transform: dict = field(default_factory=dict)

    @property
    def value_map_text(self) -> str:
        return format_value_map(self.transform.get("values", {}))


def mapping_context(job: ImportJob, user) -> dict:
    mapping = job.mapping or import_services.suggest_mapping(job)
    columns = [Column(index, header, _samples(job, index), mapping.get(header, ""),
                      (job.transforms or {}).get(header, {}))
               for index, header in enumerate(job.headers)]
    choices = [(name, str(target.label)) for name, target in fields_for(job.object_type).items()]
    return {"job": job, "columns": columns, "choices": choices,
            "transform_choices": TRANSFORM_CHOICES, "date_formats": DATE_FORMAT_CHOICES,
            "property_types": PropertyType.choices,
            "may_create_properties": has_capability(user, "settings.manage"),
            "mapped_count": sum(1 for column in columns if column.mapped_to)}


def _samples(job: ImportJob, index: int) -> list[str]:
    values = [row[index] for row in job.sample or [] if index < len(row) and row[index]]
    return values[:SAMPLES_SHOWN]


@dataclass
class PreviewRow:
    line: int
    cells: list[tuple[str, str]]  # (value, problem) per mapped column
    problems: list[str]
    other_problems: list[str]     # problems not about one of the shown columns

    @property
    def ok(self) -> bool:
        return not self.problems


def static_lists_for(user, job: ImportJob) -> list:
    """The static lists the import's contacts could join (none for other record types or
    people who may not change lists)."""
    from clarion.segments.models import Segment

    if job.object_type not in ("contact", "contact+company") or not has_capability(
            user, "segments.manage"):
        return []
    return list(Segment.objects.filter(kind=Segment.Kind.STATIC).order_by("name", "id")[:200])


def static_list(user, job: ImportJob, chosen: str):
    """The static list chosen by id in a form, among those offered; None for none."""
    return next((s for s in static_lists_for(user, job) if str(s.pk) == chosen), None)


def preview_context(job: ImportJob, user) -> dict:
    """The preview's columns (the mapped fields, in file order) and rows."""
    targets = fields_for(job.object_type)
    columns, seen = [], set()
    for index, header in enumerate(job.headers):
        name = (job.mapping or {}).get(header, "")
        if name and name not in seen:
            seen.add(name)
            columns.append((name, str(targets[name].label) if name in targets else name, index))
    rows = [_preview_row(row, columns, job.sample or [])
            for row in import_services.preview(job, limit=PREVIEW_ROWS)]
    return {"job": job, "headers": [label for _name, label, _index in columns], "rows": rows,
            "problem_count": sum(1 for row in rows if not row.ok),
            "static_lists": static_lists_for(user, job)}


def _preview_row(row, columns: list[tuple[str, str, int]], sample: list) -> PreviewRow:
    """Values as they will be stored; a row that fails shows its cells as written, with
    each problem next to the column it is about ("Email: … is not a valid address")."""
    values, errors = _get(row, "values") or {}, _get(row, "errors") or []
    if isinstance(errors, dict):
        errors = list(errors.values())
    errors = [str(error) for error in errors if error]
    line = _get(row, "line")
    original = sample[line - 2] if isinstance(line, int) and 0 <= line - 2 < len(sample) \
        else []
    cells = []
    for name, label, index in columns:
        value = values[name] if name in values else (
            original[index] if index < len(original) else "")
        problem = next((error for error in errors if error.startswith(f"{label}:")), "")
        cells.append((_display(value), problem))
    shown = {problem for _value, problem in cells if problem}
    return PreviewRow(line=line, cells=cells, problems=errors,
                      other_problems=[error for error in errors if error not in shown])


def _get(row, key: str):
    return row.get(key) if isinstance(row, dict) else getattr(row, key, None)


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def results_context(job: ImportJob, user) -> dict:
    finished = job.status in (ImportJob.Status.DONE, ImportJob.Status.UNDONE,
                              ImportJob.Status.FAILED)
    holds_contacts = job.object_type in ("contact", "contact+company")
    may_list = (holds_contacts and job.status == ImportJob.Status.DONE
                and has_capability(user, "segments.manage"))
    return {"job": job, "finished": finished,
            "can_undo": job.status == ImportJob.Status.DONE,
            "has_errors": bool(job.failed_count or job.skipped_count),
            "may_add_to_list": may_list,
            "static_lists": static_lists_for(user, job) if may_list else []}


def error_file_name(job: ImportJob) -> str:
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return get_valid_filename(f"{stem}-errors.csv")


def error_file_response(job: ImportJob, rows) -> StreamingHttpResponse:
    """The rows the import did not take: line, outcome, reason, then the original cells
    under the file's own headers; formula-safe, UTF-8 with a byte-order mark for Excel,
    streamed row by row."""
    response = StreamingHttpResponse(_error_lines(job, rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{error_file_name(job)}"'
    return response


def _error_lines(job: ImportJob, rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralize(cell) if isinstance(cell, str) else cell
                         for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line([_("Line"), _("Outcome"), _("Reason"), *job.headers])
    for row in rows:
        outcome = _("Skipped") if _get(row, "skipped") else _("Failed")
        cells = [str(cell) for cell in (_get(row, "row") or [])]
        yield line([_get(row, "line"), outcome, str(_get(row, "reason")), *cells])


@transaction.atomic
def add_to_list(job: ImportJob, *, actor, data) -> tuple[int, object]:
    """Put the contacts the import created or updated into a static list (an existing one,
    or a new one named in the form)."""
    from clarion.crm.models import Contact
    from clarion.segments import services as segments
    from clarion.segments.models import Segment

    if not has_capability(actor, "segments.manage"):
        raise PermissionDenied(_("You may not change lists."))
    if job.status != ImportJob.Status.DONE:
        raise ValidationError(_("Only a finished import can be added to a list."))
    name = data.get("new_list", "").strip()
    if name:
        segment = segments.create_segment(actor=actor, name=name, kind=Segment.Kind.STATIC)
    else:
        segment = Segment.objects.filter(kind=Segment.Kind.STATIC,
                                         pk=_int(data.get("list"))).first()
        if segment is None:
            raise ValidationError(_("Choose a list or name a new one."))
    contact_ids = ImportChange.objects.filter(job=job, record_type="contact").values(
        "record_id")
    added = segments.add_members(segment, Contact.objects.filter(pk__in=contact_ids),
                                 actor=actor)
    return added, segment


def _int(text) -> int | None:
    return int(text) if str(text or "").isdigit() else None
