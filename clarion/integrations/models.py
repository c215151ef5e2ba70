"""Imports and exports of CRM records: the jobs, what an import changed (for undo) and the
rows it could not take (for the error file)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectType(models.TextChoices):
    CONTACT = "contact", _("Contacts")
    COMPANY = "company", _("Companies")
    DEAL = "deal", _("Deals")
    CONTACT_AND_COMPANY = "contact+company", _("Contacts with their companies")


class ImportMode(models.TextChoices):
    CREATE = "create", _("Create new records only")
    UPDATE = "update", _("Update existing records only")
    UPSERT = "upsert", _("Create and update records")


class MatchBy(models.TextChoices):
    EMAIL = "email", _("Email address")
    ID = "id", _("Record ID")
    DOMAIN = "domain", _("Company domain")


class ImportJob(models.Model):
    """One uploaded file and what importing it did. Counts always add up:
    created + updated + skipped + failed = processed rows (= total rows when done)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                              null=True, on_delete=models.SET_NULL, related_name="+")
    object_type = models.CharField(_("records"), max_length=20, choices=ObjectType.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=ImportMode.choices,
                            default=ImportMode.UPSERT)
    match_by = models.CharField(_("match by"), max_length=10, choices=MatchBy.choices,
                                default=MatchBy.EMAIL)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=4, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    sample = models.JSONField(_("first rows"), default=list, blank=True)
    # {column header: property name, or "" to leave the column out}
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    # {column header: {"kind": "date_format" | "split_name" | "map_values", …}}
    transforms = models.JSONField(_("transforms"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    error_file = models.FileField(_("error file"), upload_to="imports/errors/%Y/%m/",
                                  blank=True)
    # A static list the imported contacts join (created, updated or unchanged alike).
    list = models.ForeignKey("segments.Segment", verbose_name=_("add to list"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The lease of the worker running the import: another worker may take over (and resume
    # after the last committed chunk) once it has expired.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["owner", "-created_at"], name="import_owner_recent")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.UNDONE)


class ImportChange(models.Model):
    """One record an import created or updated, with the values it replaced, so the import
    can be undone. Written set-based, one row per record per import."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes",
                            db_index=False)  # the index below leads with it
    record_type = models.CharField(max_length=20)          # "contact", "company", "deal"
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    # For updates: the changed columns' previous values and the previous custom properties.
    previous = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "record_type", "action"],
                                name="import_change_job")]

    def __str__(self) -> str:
        return f"{self.action} {self.record_type} #{self.record_id}"


class ImportRowError(models.Model):
    """A row the import did not take (failed) or left alone for a reason worth telling
    (skipped as a duplicate, no record to update …), with the original cells."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors",
                            db_index=False)
    line = models.PositiveIntegerField()            # 1-based line of the row in the file
    skipped = models.BooleanField(default=False)    # False: failed
    reason = models.TextField()
    row = models.JSONField(default=list)            # the original cells, in column order

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["job", "line"], name="import_row_error_job")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ExportJob(models.Model):
    """A background export of records matching a filter (or a segment) to CSV or XLSX."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("exported by"),
                              null=True, on_delete=models.SET_NULL, related_name="+")
    object_type = models.CharField(_("records"), max_length=20)
    definition = models.JSONField(_("filter"), default=dict, blank=True)
    segment = models.ForeignKey("segments.Segment", verbose_name=_("segment"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    # The ticked records of a list (empty: every record matching the filter).
    record_ids = models.JSONField(_("records chosen"), default=list, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)  # empty: all
    # The language of the column headers and labels: the requester's, when they asked.
    language = models.CharField(_("language"), max_length=10, blank=True)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices,
                              default=Format.CSV)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.object_type} export #{self.pk}"

    @property
    def object_type_label(self) -> str:
        return ObjectType(self.object_type).label if self.object_type in ObjectType.values \
            else self.object_type

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
