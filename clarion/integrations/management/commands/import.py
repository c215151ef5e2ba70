"""`clarion import FILE --object contacts --mode upsert`: import a CSV or XLSX file from the
command line, with the same auto-mapping, validation, error file and undo log as imports
from the web pages, and a progress bar."""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from clarion.integrations import services
from clarion.integrations.models import ImportJob

OBJECTS = {"contacts": "contact", "contact": "contact", "companies": "company",
           "company": "company", "deals": "deal", "deal": "deal",
           "contacts+companies": "contact+company", "contact+company": "contact+company"}
BAR_WIDTH = 30


class Command(BaseCommand):
    help = ("Import contacts, companies or deals from a CSV or XLSX file (columns are mapped "
            "from their headers, HubSpot, Salesforce and Zoho exports included).")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--object", required=True, choices=sorted(OBJECTS),
                            help="what the rows are: contacts, companies, deals, or "
                                 "contacts+companies (creates the contacts' companies too)")
        parser.add_argument("--mode", choices=["create", "update", "upsert"],
                            default="upsert", help="create only, update only, or both "
                                                   "(default)")
        parser.add_argument("--match-by", choices=["email", "id", "domain"], default=None,
                            help="how rows find existing records (default: email for "
                                 "contacts, domain for companies, id for deals)")
        parser.add_argument("--list", default="",
                            help="add the imported contacts to this static list (its name)")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                            help="map a column to a field yourself (repeatable; FIELD empty "
                                 "to leave the column out)")
        parser.add_argument("--user", default="",
                            help="import as this user (email; default: the first "
                                 "administrator)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        object_type = OBJECTS[options["object"]]
        match_by = options["match_by"] or {"company": "domain", "deal": "id"}.get(
            object_type, "email")
        user = self._user(options["user"])
        try:
            job = self._prepare(path, user, object_type, options["mode"], match_by, options)
            self._show_mapping(job)
            services.start_import(job, actor=user)
            job = self._run(job)
        except (ValidationError, PermissionDenied, services.ImportStateError) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(" ".join(messages)) from error
        self._summary(job)
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(f"The import stopped: {job.error}")

    def _user(self, email: str):
        users = get_user_model().objects.filter(is_active=True)
        user = (users.filter(email__iexact=email).first() if email
                else users.filter(is_superuser=True).order_by("id").first())
        if user is None:
            raise CommandError(f"No active user {email}." if email else
                               "No administrator yet: pass --user EMAIL.")
        return user

    def _prepare(self, path: Path, user, object_type: str, mode: str, match_by: str,
                 options) -> ImportJob:
        with path.open("rb") as file:
            job = services.create_import(actor=user, file=File(file, name=path.name),
                                         name=path.name, object_type=object_type, mode=mode,
                                         match_by=match_by,
                                         list=self._list(options["list"]))
        if options["map"]:
            mapping = dict(job.mapping)
            for pair in options["map"]:
                column, _eq, field = pair.partition("=")
                mapping[column.strip()] = field.strip()
            services.set_mapping(job, mapping, actor=user)
        return job

    def _list(self, name: str):
        if not name:
            return None
        from clarion.segments.models import Segment

        segment = Segment.objects.filter(name__iexact=name).first()
        if segment is None:
            raise CommandError(f"No list called {name!r}.")
        return segment

    def _show_mapping(self, job: ImportJob) -> None:
        for column, field in job.mapping.items():
            target = field or "(left out)"
            self.stdout.write(f"  {column} → {target}")

    def _run(self, job: ImportJob) -> ImportJob:
        started = time.monotonic()
        claimed = services.claim_import(job.pk)
        if claimed is None:   # an immediate task backend already ran it
            job.refresh_from_db()
            return job

        def progress(job: ImportJob, _result) -> None:
            self._progress(job, time.monotonic() - started)

        job = services.run_import(claimed, progress)
        if sys.stdout.isatty():
            self.stdout.write("")
        return job

    def _progress(self, job: ImportJob, seconds: float) -> None:
        total = max(job.total_rows or 0, job.processed_rows, 1)
        done = int(BAR_WIDTH * job.processed_rows / total)
        bar = "#" * done + "." * (BAR_WIDTH - done)
        line = (f"[{bar}] {job.processed_rows:,} / ~{total:,} rows, {seconds:.1f} s")
        self.stdout.write(line, ending="\r" if sys.stdout.isatty() else "\n")
        self.stdout.flush()

    def _summary(self, job: ImportJob) -> None:
        self.stdout.write(self.style.SUCCESS(
            f"Imported {job.processed_rows:,} rows of {job.original_name}: "
            f"{job.created_count:,} created, {job.updated_count:,} updated, "
            f"{job.skipped_count:,} skipped, {job.failed_count:,} failed."))
        if job.error_file:
            self.stdout.write(f"Rows not imported, with reasons: {job.error_file.path}"
                              if hasattr(job.error_file, "path") else job.error_file.name)
        self.stdout.write(f"Import #{job.pk}.")
