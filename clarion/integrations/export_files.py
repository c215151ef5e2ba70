"""Writing records to CSV or XLSX, row by row: the columns (core fields and custom
properties) as people read them, cells neutralized against formula injection, and nothing
held in memory beyond one chunk of records.

Used by export jobs (`exports.py`) and the `clarion export` command alike.
"""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.filters import Catalogue, Field

CHUNK_SIZE = 2000
# A spreadsheet program runs a cell starting with one of these as a formula (CSV injection):
# such text cells get a leading single quote, which shows the text as it is.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# XLSX sheets hold 1,048,576 rows; bigger exports continue on further sheets.
XLSX_SHEET_ROWS = 1_048_575
FORMATS = ("csv", "xlsx")

Progress = Callable[[int], object]


def neutralize(text: str) -> str:
    """`text` made safe to open in Excel, LibreOffice or Google Sheets."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_fields(catalogue: Catalogue, columns: list[str] | None) -> list[Field]:
    """The fields to write, in order: the record id (headed "Clarion ID", which an import
    maps back to the id), then the named columns (unknown names are skipped), or every
    field (custom properties included) when none is named."""
    names = [name for name in (columns or catalogue.fields) if name in catalogue.fields]
    record_id = Field("id", _("Clarion ID"), "number")
    return [record_id, *(catalogue.fields[name] for name in names if name != "id")]


def header_row(fields: list[Field]) -> list[str]:
    return [field.label[:1].upper() + field.label[1:] for field in fields]


def related_names(fields: list[Field]) -> list[str]:
    """The relations the columns read (owner, company, stage…), to join in one query."""
    return [f.name for f in fields if not f.custom and f.family in ("user", "reference")]


def readable_value(record, field: Field):
    """One cell: select labels instead of stored values, owners by email, related records
    by name, dates in ISO 8601; numbers stay numbers."""
    if field.custom:
        value = (record.properties or {}).get(field.name)
    elif field.family in ("user", "reference"):
        related = getattr(record, field.name)
        if related is None:
            return ""
        return getattr(related, "email", "") if field.family == "user" else str(related)
    else:
        value = getattr(record, field.name)
    return _plain(value, field)


def _plain(value, field: Field):
    if value is None:
        return ""
    labels = dict(field.options) if field.options else None
    if isinstance(value, list):
        return ", ".join(str(labels.get(str(v), v) if labels else v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        aware = value if timezone.is_aware(value) else timezone.make_aware(value)
        return aware.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    if labels and str(value) in labels:
        return labels[str(value)]
    return str(value)


def records_in_chunks(queryset: QuerySet, fields: list[Field]) -> Iterator:
    """The records in id order, streamed in chunks (a server-side cursor on PostgreSQL)."""
    related = related_names(fields)
    if related:
        queryset = queryset.select_related(*related)
    return queryset.order_by("pk").iterator(chunk_size=CHUNK_SIZE)


def rows_of(records: Iterable, fields: list[Field]) -> Iterator[list]:
    for record in records:
        yield [readable_value(record, field) for field in fields]


def write_file(queryset: QuerySet, fields: list[Field], fmt: str, path: Path,
               progress: Progress | None = None) -> int:
    """Write the records of `queryset` to `path`; returns the number of records written.
    `progress(rows_so_far)` is called after every chunk."""
    rows = rows_of(records_in_chunks(queryset, fields), fields)
    writer = write_xlsx if fmt == "xlsx" else write_csv
    return writer(header_row(fields), rows, path, progress or (lambda count: None))


def _cell_text(value) -> str:
    return neutralize(value) if isinstance(value, str) else str(value)


def write_csv(header: list[str], rows: Iterable[list], path: Path, progress: Progress) -> int:
    """UTF-8 with a byte-order mark, so Excel reads accented and Chinese names right."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as output:
        writer = csv.writer(output)
        writer.writerow([_cell_text(label) for label in header])
        for row in rows:
            writer.writerow([_cell_text(value) for value in row])
            count += 1
            if count % CHUNK_SIZE == 0:
                progress(count)
    progress(count)
    return count


def write_xlsx(header: list[str], rows: Iterable[list], path: Path, progress: Progress) -> int:
    """openpyxl's write-only mode streams rows to disk instead of building the sheet."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if isinstance(value, str):
            return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    workbook = Workbook(write_only=True)
    sheet, sheet_rows, count = None, XLSX_SHEET_ROWS, 0
    for row in rows:
        if sheet_rows == XLSX_SHEET_ROWS:
            sheet = workbook.create_sheet(_("Records") if sheet is None
                                          else f"{_('Records')} {len(workbook.worksheets) + 1}")
            sheet.append([cell(label) for label in header])
            sheet_rows = 0
        sheet.append([cell(value) for value in row])
        sheet_rows += 1
        count += 1
        if count % CHUNK_SIZE == 0:
            progress(count)
    if sheet is None:
        workbook.create_sheet(_("Records")).append([cell(label) for label in header])
    workbook.save(path)
    progress(count)
    return count
