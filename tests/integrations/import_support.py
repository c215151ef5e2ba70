"""Helpers for import tests: files from rows, and running an import to the end."""

import csv
import io

from django.core.files.base import ContentFile
from django.test import TestCase

from clarion.integrations import services


def csv_file(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",",
             name: str = "people.csv") -> ContentFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ContentFile(buffer.getvalue().encode(encoding), name=name)


def import_rows(actor, rows, *, object_type="contact", mode="upsert", match_by="email",
                mapping=None, transforms=None, **file_options):
    """Upload, map (the suggestion unless `mapping`), run; the finished job."""
    file = csv_file(rows, **file_options)
    job = services.create_import(actor=actor, file=file, name=file.name,
                                 object_type=object_type, mode=mode, match_by=match_by)
    if mapping is not None or transforms is not None:
        services.set_mapping(job, mapping if mapping is not None else job.mapping,
                             transforms, actor=actor)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.start_import(job, actor=actor)
    job.refresh_from_db()
    return job
