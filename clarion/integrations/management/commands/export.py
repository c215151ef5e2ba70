"""`clarion export`: write contacts, companies or deals to a CSV or XLSX file, with the same
columns and formula safety as exports from the web pages."""

import json
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clarion.core.filters import InvalidFilter, build_catalogue
from clarion.integrations.export_files import FORMATS, export_fields, write_file
from clarion.integrations.exports import may_export, object_type_named, records_matching


class Command(BaseCommand):
    help = ("Export contacts, companies or deals to a CSV or XLSX file. With --user, only "
            "the records that person may see (and only if they may export).")

    def add_arguments(self, parser):
        parser.add_argument("--object", required=True,
                            help="contacts, companies or deals")
        parser.add_argument("--filter", default="",
                            help='a filter as JSON, e.g. \'{"all": [{"property": "city", '
                                 '"op": "eq", "value": "Paris"}]}\'')
        parser.add_argument("--format", choices=FORMATS, default=None,
                            help="csv or xlsx (default: from the output file's extension)")
        parser.add_argument("--columns", default="",
                            help="comma-separated property names (default: all properties)")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument("--user", default="", help="export as this user (email)")

    def handle(self, *args, **options):
        try:
            kind = object_type_named(options["object"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        user = self._user(options["user"])
        output = Path(options["output"])
        fmt = options["format"] or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
        definition = self._filter(options["filter"])
        columns = [c.strip() for c in options["columns"].split(",") if c.strip()]
        try:
            queryset = records_matching(kind, definition, user=user)
            fields = export_fields(build_catalogue(kind.model, kind.name), columns)
            started = time.monotonic()
            count = write_file(queryset, fields, fmt, output, self._progress)
        except InvalidFilter as error:
            raise CommandError(error.message) from error
        self._clear_progress()
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Exported {count} {kind.verbose_name_plural} to {output} in {seconds:.1f} s."))

    def _user(self, email: str):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email {email}.")
        if not may_export(user):
            raise CommandError(f"{email} may not export records (needs data.export).")
        return user

    def _filter(self, text: str) -> dict | None:
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise CommandError(f"--filter is not valid JSON: {error}") from error

    def _progress(self, count: int) -> None:
        if sys.stderr.isatty():
            self.stderr.write(f"\r{count:,} rows written", ending="")
        elif count % 100_000 == 0:
            self.stderr.write(f"{count:,} rows written")

    def _clear_progress(self) -> None:
        if sys.stderr.isatty():
            self.stderr.write("")
