"""Reading uploaded files as rows of text cells, streaming: CSV in any common encoding and
delimiter (quoted multi-line fields included) and XLSX through openpyxl's read-only mode."""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
XLSX_MAGIC = b"PK\x03\x04"

csv.field_size_limit(16 * 1024 * 1024)


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX file Clarion can read; the message says why."""


@dataclass(frozen=True)
class FileFormat:
    kind: str          # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes: a byte-order mark decides; then
    UTF-16 without one (NUL bytes), UTF-8, GB18030 (Chinese) and finally Windows-1252 /
    Latin-1, which can decode anything."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head[:200].count(b"\x00") > len(head[:200]) // 4:
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    if _decodes(head, "utf-8"):
        return "utf-8"
    if _decodes(head, "gb18030") and _looks_chinese(head):
        return "gb18030"
    return "cp1252" if _decodes(head, "cp1252") else "latin-1"


def _decodes(head: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(head, final=False)   # a character cut at the end of the sample is fine
    except UnicodeDecodeError:
        return False
    return True


def _looks_chinese(head: bytes) -> bool:
    """GB2312 characters are two bytes both ≥ 0xA1; accented Latin-1 letters are mostly
    followed by ASCII. Most multi-byte sequences being of the first kind (or GB18030's
    four-byte form) means Chinese text."""
    pairs = high_pairs = 0
    index = 0
    while index < len(head) - 1:
        if head[index] < 0x81:
            index += 1
            continue
        pairs += 1
        if 0x30 <= head[index + 1] <= 0x39 and index + 3 < len(head) \
                and head[index + 2] >= 0x81 and 0x30 <= head[index + 3] <= 0x39:
            high_pairs += 1   # GB18030's four-byte form (letters outside GBK, e.g. ë)
            index += 4
            continue
        high_pairs += head[index + 1] >= 0xA1
        index += 2
    return pairs > 0 and high_pairs / pairs >= 0.8


def detect_delimiter(first_line: str) -> str:
    """The candidate occurring most often in the header line outside quotes (comma if none)."""
    unquoted = first_line.split('"')[::2]
    counts = {d: sum(part.count(d) for part in unquoted) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def detect_format(file) -> FileFormat:
    """Look at the start of an open binary file (rewound afterwards)."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if head.startswith(XLSX_MAGIC):
        return FileFormat("xlsx")
    if not head.strip():
        raise UnreadableFile("The file is empty.")
    encoding = detect_encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return FileFormat("csv", encoding, detect_delimiter(first_line))


def iter_rows(file, file_format: FileFormat) -> Iterator[list[str]]:
    """Every row of the file, header first, as lists of strings; blank lines come as []."""
    file.seek(0)
    if file_format.kind == "xlsx":
        yield from _xlsx_rows(file)
        return
    # Undecodable bytes become U+FFFD rather than stopping a long import half-way.
    text = io.TextIOWrapper(file, encoding=file_format.encoding, errors="replace",
                            newline="")
    try:
        yield from csv.reader(text, delimiter=file_format.delimiter)
    finally:
        if not file.closed:
            text.detach()   # leave the caller's file open for it to close


def _xlsx_rows(file) -> Iterator[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken archive
        raise UnreadableFile(f"The spreadsheet can't be opened ({error}).") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            yield cells
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def clean_headers(row: list[str]) -> list[str]:
    """Header cells stripped, blank ones named by position, repeats made unique, so each
    column has a distinct name the mapping can use."""
    headers, seen = [], set()
    for position, cell in enumerate(row, start=1):
        name = cell.strip().lstrip("\ufeff") or f"Column {position}"
        unique, counter = name, 2
        while unique in seen:
            unique, counter = f"{name} ({counter})", counter + 1
        seen.add(unique)
        headers.append(unique)
    return headers


def estimate_rows(file, file_format: FileFormat) -> int:
    """Roughly how many data rows there are, for the progress bar (the exact count is known
    when the import ends): line breaks for CSV, the sheet's dimensions for XLSX."""
    file.seek(0)
    if file_format.kind == "xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(file, read_only=True)
        try:
            rows = workbook.worksheets[0].max_row or 0
        finally:
            workbook.close()
        file.seek(0)
        return max(rows - 1, 0)
    newline = "\n".encode(file_format.encoding.replace("-sig", ""))
    if file_format.encoding == "utf-16":
        newline = b"\n\x00"
    count = last = 0
    while block := file.read(1 << 20):
        count += block.count(newline)
        last = block[-1]
    file.seek(0)
    ends_with_newline = last in (0x0A, 0x00)
    return max(count - (1 if ends_with_newline else 0), 0)
