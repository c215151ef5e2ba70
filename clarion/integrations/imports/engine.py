"""Running an import: stream the file in chunks; per chunk, read and validate every row,
drop duplicates within the file, match the rest against the database, and write creates and
updates set-based in one transaction together with the undo log, the `imported` events, the
rows' errors and the job's counters. A chunk commits whole or not at all, so a worker that
dies mid-import is replaced by one that resumes after the last committed chunk."""

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.permissions import record_scope
from clarion.crm.models import LIFECYCLE_ORDER, Company, Contact, Deal, Pipeline
from clarion.integrations.imports import parsing, writing
from clarion.integrations.imports.mapping import record_type
from clarion.integrations.imports.validation import RowReader, RowValues
from clarion.integrations.models import ImportJob, ImportRowError

CHUNK_ROWS = 10_000
MODELS = {"contact": Contact, "company": Company, "deal": Deal}
# Fields read from the file but not written as a column of the record being updated.
NOT_UPDATED = {"id", "created_at", "company.name", "company.domain", "full_name",
               "pipeline", "stage"}


@dataclass
class Candidate:
    line: int
    cells: list[str]
    row: RowValues
    company_id: int | None = None


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    record_ids: list[int] = field(default_factory=list)   # created, updated or unchanged

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.skipped + self.failed

    def fail(self, job, candidate_line: int, cells: list[str], reason: str) -> None:
        self.failed += 1
        self.errors.append(ImportRowError(job=job, line=candidate_line, reason=reason,
                                          row=cells))

    def skip(self, job, candidate_line: int, cells: list[str], reason: str = "") -> None:
        self.skipped += 1
        if reason:
            self.errors.append(ImportRowError(job=job, line=candidate_line, skipped=True,
                                              reason=reason, row=cells))


class ImportRun:
    """One pass of the engine over a job's file."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.type = record_type(job.object_type)
        self.model = MODELS[self.type]
        self.reader = RowReader(object_type=job.object_type, headers=job.headers,
                                mapping=job.mapping, transforms=job.transforms,
                                match_by=job.match_by, sample=job.sample)
        self.seen: dict[int, int] = {}   # hash of a key → line of its first row
        self.emails_seen: set[str] = set()  # matching by ID: emails given to a contact
        self.fields = {f.name: f for f in self.model._meta.concrete_fields}
        self.update_fields = self._update_fields()
        self.edit_scope = record_scope(job.owner, self.model.capability_area, "edit") \
            if job.owner else "all"
        self.teammates = self._teammates()
        self.data = {action: {"import": job.pk, "name": job.original_name, "action": action}
                     for action in ("created", "updated")}
        self._deal_defaults = None

    # --- Setup ----------------------------------------------------------------------------

    def _update_fields(self) -> list[models.Field]:
        """The columns an update may change: the mapped ones but the match key."""
        mapped = self.reader.mapped_fields - NOT_UPDATED
        if self.job.match_by in ("email", "domain"):
            mapped.discard(self.job.match_by)
        columns = [self.fields[name] for name in sorted(mapped) if name in self.fields]
        names = self.reader.mapped_fields
        if names & {"company.name", "company.domain"} and "company" in self.fields:
            columns.append(self.fields["company"])
        if self.type == "deal" and names & {"pipeline", "stage"}:
            columns += [self.fields["pipeline"], self.fields["stage"]]
        return columns

    def _teammates(self) -> set[int]:
        if self.edit_scope != "team":
            return set()
        from django.contrib.auth import get_user_model

        memberships = get_user_model().teams.through.objects
        team_ids = memberships.filter(user_id=self.job.owner_id).values("team_id")
        return set(memberships.filter(team_id__in=team_ids).values_list("user_id", flat=True))

    def may_edit(self, owner_id: int | None) -> bool:
        if self.edit_scope == "all":
            return True
        if self.edit_scope == "own":
            return owner_id is not None and owner_id == self.job.owner_id
        if self.edit_scope == "team":
            return owner_id is not None and owner_id in self.teammates
        return False

    # --- The loop -------------------------------------------------------------------------

    def rows(self):
        """(line, cells) of every non-blank data row; line 1 is the header."""
        with self.job.file.open("rb") as file:
            file_format = parsing.FileFormat(
                "xlsx" if not self.job.encoding else "csv", self.job.encoding,
                self.job.delimiter)
            rows = parsing.iter_rows(file, file_format)
            next(rows, None)
            for line, cells in enumerate(rows, start=2):
                if not parsing.is_blank(cells):
                    yield line, cells

    def run(self, progress=None) -> None:
        """Import every row not yet processed (a resumed run skips committed chunks)."""
        rows = self.rows()
        self._remember_committed_keys(itertools.islice(rows, self.job.processed_rows))
        chunks = iter(lambda: list(itertools.islice(rows, CHUNK_ROWS)), [])
        if self._can_pipeline():
            self._run_pipelined(chunks, progress)
            return
        for chunk in chunks:
            result = self.import_chunk(chunk)
            if progress is not None:
                progress(self.job, result)

    def _remember_committed_keys(self, committed_rows) -> None:
        """A resumed run re-reads the keys of the rows already imported, so a later row
        repeating one is still a duplicate within the file."""
        for line, cells in committed_rows:
            row, _errors = self.reader.read(cells)
            if row is not None and row.key is not None:
                self.seen.setdefault(hash(row.key), line)

    def _can_pipeline(self) -> bool:
        """Writing in another thread needs another connection that sees what this one does:
        not inside a transaction (as in most tests)."""
        from django.db import connection

        return not connection.in_atomic_block

    def _writer_count(self) -> int:
        """Two writers let PostgreSQL use both cores on plain imports; one when chunks could
        touch the same rows (companies created on the way, a list's lock) or on SQLite."""
        shares_rows = self.job.object_type == "contact+company" or self.job.list_id
        # SQLite writes one transaction at a time: one writer overlaps with reading.
        return 1 if shares_rows or not writing.is_postgresql() else WRITERS

    def _run_pipelined(self, chunks, progress) -> None:
        """Validate the next chunk in this thread while writer threads (own connections)
        have PostgreSQL write the previous ones: the database's work overlaps Python's.
        Chunks still commit in file order, so a resumed import skips exactly the rows
        committed."""
        from collections import deque

        writers = self._writer_count()
        failed = threading.Event()

        def write_in_order(candidates, result, previous: threading.Event | None,
                           committed: threading.Event) -> ChunkResult:
            def wait_for_previous() -> None:
                while previous is not None and not previous.wait(0.2):
                    if failed.is_set():
                        raise RuntimeError("an earlier chunk of the import failed")
            try:
                written = self.write_chunk(candidates, result, before_commit=wait_for_previous)
            except BaseException:
                failed.set()
                raise
            committed.set()
            return written

        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="import-writer") as pool:
            pending: deque = deque()
            previous = None
            try:
                for chunk in chunks:
                    result = ChunkResult()
                    candidates = self._read(chunk, result)
                    while len(pending) >= writers:
                        self._report(pending.popleft().result(), progress)
                    committed = threading.Event()
                    pending.append(pool.submit(write_in_order, candidates, result, previous,
                                               committed))
                    previous = committed
                while pending:
                    self._report(pending.popleft().result(), progress)
            except BaseException:
                failed.set()   # writers waiting for an earlier chunk give up and roll back
                for future in pending:
                    future.cancel()
                raise
            finally:
                _close_writer_connections(pool, writers)

    def _report(self, result: "ChunkResult", progress) -> None:
        if progress is not None:
            progress(self.job, result)

    def import_chunk(self, chunk: list[tuple[int, list[str]]]) -> "ChunkResult":
        result = ChunkResult()
        return self.write_chunk(self._read(chunk, result), result)

    @transaction.atomic
    def write_chunk(self, candidates: list[Candidate], result: "ChunkResult",
                    before_commit=None) -> "ChunkResult":
        """Link, match and write the chunk's valid rows, record its errors and counts: one
        transaction. `before_commit` runs before the job's counters are touched (the
        pipelined run waits there for the previous chunk to commit)."""
        writing.relax_durability()
        if candidates and self.reader.mapped_fields & {"company.name", "company.domain"}:
            candidates = self._link_companies(candidates, result)
        if self.type == "deal":
            candidates = self._resolve_deal_stages(candidates, result)
        creates, updates = self._match(candidates, result)
        self._create(creates, result)
        self._update(updates, result)
        ImportRowError.objects.bulk_create(result.errors, batch_size=1000)
        if self.job.list_id and self.type == "contact" and result.record_ids:
            self._add_to_list(result.record_ids)
        if before_commit is not None:
            before_commit()
        self._count(result)
        return result

    def _count(self, result: ChunkResult) -> None:
        ImportJob.objects.filter(pk=self.job.pk).update(
            processed_rows=F("processed_rows") + result.rows,
            created_count=F("created_count") + result.created,
            updated_count=F("updated_count") + result.updated,
            skipped_count=F("skipped_count") + result.skipped,
            failed_count=F("failed_count") + result.failed,
            claimed_until=timezone.now() + LEASE)
        for name, value in (("processed_rows", result.rows), ("created_count", result.created),
                            ("updated_count", result.updated),
                            ("skipped_count", result.skipped),
                            ("failed_count", result.failed)):
            setattr(self.job, name, getattr(self.job, name) + value)

    def _add_to_list(self, contact_ids: list[int]) -> None:
        from clarion.segments.models import Segment
        from clarion.segments.services import add_members

        segment = Segment.objects.filter(pk=self.job.list_id).first()
        if segment is not None and segment.is_static:
            add_members(segment, contact_ids, actor=self.job.owner)

    # --- Reading and deduplicating ------------------------------------------------------------

    def _read(self, chunk, result: ChunkResult) -> list[Candidate]:
        candidates = []
        needs_key = self.job.mode == "update"
        for line, cells in chunk:
            row, errors = self.reader.read(cells)
            if errors:
                result.fail(self.job, line, cells, "; ".join(errors))
                continue
            if row.key is None and needs_key:
                result.fail(self.job, line, cells, self._missing_key_message())
                continue
            if row.key is not None:
                first = self.seen.setdefault(hash(row.key), line)
                if first != line:
                    result.skip(self.job, line, cells,
                                _("Duplicate within the file: line %(line)s has the same "
                                  "%(key)s.") % {"line": first, "key": self._key_label()})
                    continue
            candidates.append(Candidate(line, cells, row))
        return candidates

    def _key_label(self) -> str:
        return {"email": _("email address"), "domain": _("domain"),
                "id": _("record ID")}[self.job.match_by]

    def _missing_key_message(self) -> str:
        return _("No %(key)s to find the record to update by.") % {"key": self._key_label()}

    # --- Companies of contacts and deals ------------------------------------------------------

    def _link_companies(self, candidates: list[Candidate], result) -> list[Candidate]:
        """Find each row's company by domain, then by name; with contacts + companies, create
        the companies that don't exist yet (once each)."""
        domains = {c.row.values["company.domain"] for c in candidates
                   if c.row.values.get("company.domain")}
        names = {c.row.values["company.name"].casefold() for c in candidates
                 if c.row.values.get("company.name")}
        by_domain, by_name = {}, {}
        if domains:
            for pk, domain in (Company.objects.annotate(d=Lower("domain"))
                               .filter(d__in=domains).order_by("-id").values_list("id", "d")):
                by_domain[domain] = pk
        if names:
            for pk, name in (Company.objects.annotate(n=Lower("name"))
                             .filter(n__in=names).order_by("-id").values_list("id", "n")):
                by_name[name] = pk
        creating = self.job.object_type == "contact+company"
        new_companies: dict[str, tuple] = {}
        for candidate in candidates:
            domain = candidate.row.values.get("company.domain")
            name = candidate.row.values.get("company.name")
            company_id = (by_domain.get(domain) if domain else None) or (
                by_name.get(name.casefold()) if name else None)
            if company_id is None and creating and (name or domain):
                key = domain or name.casefold()
                if key not in new_companies:
                    new_companies[key] = (name or domain, domain or "")
                candidate.company_id = key  # resolved to an id below
            else:
                candidate.company_id = company_id
        if new_companies:
            ids = self._create_companies(list(new_companies.values()))
            created = dict(zip(new_companies, ids, strict=True))
            for candidate in candidates:
                if isinstance(candidate.company_id, str):
                    candidate.company_id = created[candidate.company_id]
        return candidates

    def _create_companies(self, companies: list[tuple[str, str]]) -> list[int]:
        ids = writing.allocate_ids(Company, len(companies))
        fields = list(Company._meta.concrete_fields)
        now = timezone.now()
        rows = []
        for pk, (name, domain) in zip(ids, companies, strict=True):
            values = {"id": pk, "name": name[:255], "domain": domain, "created_at": now,
                      "updated_at": now, "original_source": "import",
                      "owner": self.job.owner_id, "created_by": self.job.owner_id}
            rows.append(tuple(values.get(f.name, _default(f)) for f in fields))
        inserted = writing.insert_records(Company, fields, rows)
        writing.record_changes(self.job.pk, "company", sorted(inserted), [])
        writing.emit_imported(Company, actor_id=self.job.owner_id, data_by_action=self.data,
                              ids_by_action={"created": sorted(inserted)})
        return ids

    # --- Deals' pipelines and stages --------------------------------------------------------

    def _resolve_deal_stages(self, candidates, result) -> list[Candidate]:
        if self._deal_defaults is None:
            self._deal_defaults = _pipeline_lookup()
        pipelines, default = self._deal_defaults
        kept = []
        for candidate in candidates:
            values = candidate.row.values
            pipeline_name = values.get("pipeline")
            pipeline = pipelines.get(pipeline_name.casefold()) if pipeline_name else default
            if pipeline is None:
                result.fail(self.job, candidate.line, candidate.cells,
                            _("Pipeline: there is no pipeline called “%(value)s”.")
                            % {"value": pipeline_name or ""})
                continue
            stage_name = values.get("stage")
            stages = pipeline["stages"]
            stage_id = stages.get(stage_name.casefold()) if stage_name else pipeline["first"]
            if stage_id is None:
                result.fail(self.job, candidate.line, candidate.cells,
                            _("Stage: “%(value)s” is not a stage of %(pipeline)s.")
                            % {"value": stage_name, "pipeline": pipeline["name"]})
                continue
            if pipeline_name or stage_name:
                values["pipeline_id"], values["stage_id"] = pipeline["id"], stage_id
            kept.append(candidate)
        return kept

    # --- Matching ---------------------------------------------------------------------------

    def _existing(self, keys: set) -> dict:
        """The records the keys name, locked for this chunk's transaction, by key."""
        if not keys:
            return {}
        columns = ["id", "owner_id", "properties", "lifecycle_stage"] if \
            self.type != "deal" else ["id", "owner_id", "properties"]
        columns += [f.attname for f in self.update_fields if f.attname not in columns]
        if writing.is_postgresql():
            return self._existing_by_array(keys, columns)
        if self.job.match_by == "id":
            queryset = self.model.objects.filter(pk__in=keys).annotate(match_key=F("id"))
        else:
            queryset = self.model.objects.annotate(match_key=Lower(self.job.match_by)) \
                .filter(match_key__in=keys)
        queryset = queryset.order_by("-id").select_for_update(of=("self",))
        return {record["match_key"]: record for record in queryset.values(*columns,
                                                                            "match_key")}

    def _existing_by_array(self, keys: set, columns: list[str]) -> dict:
        """_existing on PostgreSQL: the keys as one array (`= ANY(…)`), which plans and runs
        far faster than an IN list of ten thousand parameters. The array travels as one
        text parameter the server splits (keys — emails, domains, ids — hold no line break),
        inside a sub-select: seeing ten thousand keys, the planner would expect as many
        matches and read the whole table for every chunk, each chunk slower than the last;
        not knowing their number, it looks each key up in the index."""
        from django.db import connection

        q = connection.ops.quote_name
        key_sql = "id" if self.job.match_by == "id" else f"lower({q(self.job.match_by)})"
        array_type = "bigint[]" if self.job.match_by == "id" else "text[]"
        table = q(self.model._meta.db_table)
        # "email <> ''" lets PostgreSQL use the partial unique index on lower(email).
        extra = " AND email <> ''" if self.job.match_by == "email" else ""
        texts = [str(key) for key in keys]
        if any("\n" in text for text in texts):
            array, parameter = f"(SELECT %s::{array_type})::{array_type}", list(keys)
        else:
            array, parameter = (f"(SELECT string_to_array(%s, chr(10)))::{array_type}",
                                "\n".join(texts))
        sql = (f"SELECT {', '.join(q(c) for c in columns)}, {key_sql} FROM {table} "
               f"WHERE {key_sql} = ANY({array}){extra} ORDER BY id DESC FOR UPDATE")
        from_db = [self._from_db(column) for column in columns]
        with connection.cursor() as cursor:
            cursor.execute(sql, [parameter])
            found = {}
            for *values, key in cursor.fetchall():
                found[key] = {column: convert(value) for column, convert, value
                              in zip(columns, from_db, values, strict=True)}
            return found

    def _from_db(self, column: str):
        if column == "properties":
            return lambda value: json.loads(value) if isinstance(value, str) else value
        return lambda value: value

    def _match(self, candidates: list[Candidate], result: ChunkResult):
        keys = {c.row.key for c in candidates if c.row.key is not None}
        if self.job.mode == "create" and self.job.match_by == "id":
            keys = set()
        existing = self._existing(keys)
        creates, updates = [], []
        for candidate in candidates:
            current = existing.get(candidate.row.key)
            if current is None:
                self._match_new(candidate, creates, result)
                continue
            if self.job.mode == "create":
                result.skip(self.job, candidate.line, candidate.cells,
                            _("Skipped: a record with this %(key)s already exists.")
                            % {"key": self._key_label()})
                continue
            if not self.may_edit(current["owner_id"]):
                result.fail(self.job, candidate.line, candidate.cells,
                            _("You may not edit the existing record with this %(key)s.")
                            % {"key": self._key_label()})
                continue
            change = self._diff(candidate, current)
            if change is None:
                result.record_ids.append(current["id"])
                result.skip(self.job, candidate.line, candidate.cells)
            else:
                updates.append((*change, candidate))
        if self.type == "contact" and self.job.match_by == "id" and \
                "email" in self.reader.mapped_fields:
            creates, updates = self._reject_taken_emails(creates, updates, result)
        return creates, updates

    def _reject_taken_emails(self, creates: list, updates: list, result: ChunkResult):
        """Matching by ID, a row's email may belong to another contact (or to an earlier
        row): such rows fail instead of breaking the chunk on the unique email."""
        wanted = [c.row.values["email"] for c in creates if c.row.values.get("email")]
        wanted += [new["email"] for _pk, new, _p, previous, _c in updates if "email" in previous]
        if not wanted:
            return creates, updates
        holders = dict(Contact.objects.annotate(e=Lower("email")).filter(e__in=wanted)
                       .values_list("e", "id"))

        def taken(email: str | None, pk: int | None, candidate: Candidate) -> bool:
            email = (email or "").lower()
            if not email:
                return False
            if email in self.emails_seen or holders.get(email, pk) != pk:
                result.fail(self.job, candidate.line, candidate.cells,
                            _("Another contact already has the email address %(email)s.")
                            % {"email": email})
                return True
            self.emails_seen.add(email)
            return False

        creates = [c for c in creates if not taken(c.row.values.get("email"), None, c)]
        updates = [u for u in updates
                   if "email" not in u[3] or not taken(u[1]["email"], u[0], u[4])]
        return creates, updates

    def _match_new(self, candidate: Candidate, creates: list, result: ChunkResult) -> None:
        if self.job.mode == "update":
            result.skip(self.job, candidate.line, candidate.cells,
                        _("Skipped: no record with this %(key)s to update.")
                        % {"key": self._key_label()})
        elif self.job.match_by == "id" and candidate.row.key is not None \
                and self.job.mode != "create":
            result.fail(self.job, candidate.line, candidate.cells,
                        _("There is no record with ID %(id)s.") % {"id": candidate.row.key})
        elif (problem := self._cannot_create(candidate)):
            result.fail(self.job, candidate.line, candidate.cells, problem)
        else:
            creates.append(candidate)

    def _cannot_create(self, candidate: Candidate) -> str:
        values = candidate.row.values
        if self.type in ("company", "deal") and not values.get("name"):
            if self.type == "company" and values.get("domain"):
                values["name"] = values["domain"]
            else:
                return _("A name is needed to create the record.")
        if self.type == "contact" and not (values.get("email") or values.get("first_name")
                                           or values.get("last_name")):
            return _("An email address or a name is needed to create a contact.")
        missing = [d.label for d in self.reader.definitions_required
                   if candidate.row.properties.get(d.name) is None]
        if missing:
            return _("%(field)s is required.") % {"field": missing[0]}
        return ""

    def _diff(self, candidate: Candidate, current: dict):
        """(id, new values by column, changed properties, previous values), or None when the
        row would change nothing."""
        new, previous = {}, {}
        for model_field in self.update_fields:
            value = self._new_value(model_field, candidate)
            old = current[model_field.attname]
            if value is None or _same(old, value):
                new[model_field.attname] = old
                continue
            if model_field.name == "lifecycle_stage" and old and \
                    LIFECYCLE_ORDER[value] < LIFECYCLE_ORDER[old]:
                new[model_field.attname] = old   # the lifecycle only moves forward
                continue
            new[model_field.attname] = value
            previous[model_field.attname] = old
        properties = current["properties"] or {}
        changed_properties = {name: value for name, value in candidate.row.properties.items()
                              if value is not None and properties.get(name) != value}
        if changed_properties:
            previous["properties"] = {name: properties.get(name) for name in changed_properties}
        if not previous:
            return None
        return current["id"], new, changed_properties, previous

    def _new_value(self, model_field: models.Field, candidate: Candidate):
        values = candidate.row.values
        if model_field.name == "company":
            return candidate.company_id
        if model_field.attname in ("pipeline_id", "stage_id"):
            return values.get(model_field.attname)
        value = values.get(model_field.name)
        if value is not None and isinstance(model_field, models.DecimalField):
            value = round(Decimal(value), model_field.decimal_places)
        return value

    # --- Writing ------------------------------------------------------------------------------

    def _create(self, creates: list[Candidate], result: ChunkResult) -> None:
        if not creates:
            return
        ids = writing.allocate_ids(self.model, len(creates))
        now = timezone.now()
        fields = self.model._meta.concrete_fields
        varying = [f for f in fields if self._varies(f)]
        blank = Candidate(0, [], RowValues())
        constants = {f: self._create_getter(f, now)(None, blank)
                     for f in fields if f not in varying}
        # Columns taken as the row has them come last, read by one comprehension per row.
        plain = [f for f in varying if f.name not in COMPUTED
                 and not isinstance(f, models.DecimalField)]
        computed = [f for f in varying if f not in plain]
        getters = [self._create_getter(f, now) for f in computed]
        pairs = [(f.name, _default(f)) for f in plain]
        rows = []
        for pk, candidate in zip(ids, creates, strict=True):
            values = candidate.row.values
            rows.append((*[get(pk, candidate) for get in getters],
                         *[values.get(name, default) for name, default in pairs]))
        inserted = writing.insert_records(self.model, computed + plain, rows, constants)
        for pk, candidate in zip(ids, creates, strict=True):
            if pk not in inserted:
                result.fail(self.job, candidate.line, candidate.cells,
                            _("Someone created a record with this %(key)s during the "
                              "import; import the row again to update it.")
                            % {"key": self._key_label()})
        created = sorted(inserted)
        result.created += len(created)
        result.record_ids += created
        writing.record_changes(self.job.pk, self.type, created, [])
        writing.emit_imported(self.model, actor_id=self.job.owner_id,
                              data_by_action=self.data, ids_by_action={"created": created})

    def _varies(self, model_field: models.Field) -> bool:
        """Whether a new record's value of this column can differ from row to row."""
        mapped = self.reader.mapped_fields
        name = model_field.name
        if name in ("id", "properties"):
            return True
        if name == "company":
            return bool(mapped & {"company.name", "company.domain"})
        if name in ("created_at", "updated_at"):
            return "created_at" in mapped
        if name in ("pipeline", "stage"):
            return bool(mapped & {"pipeline", "stage"})
        return name in mapped

    def _create_getter(self, model_field: models.Field, now):
        """A function (id, candidate) -> the new record's value of this column."""
        name, attname = model_field.name, model_field.attname
        owner_id = self.job.owner_id
        if name == "id":
            return lambda pk, c: pk
        if name == "properties":
            return lambda pk, c: {k: v for k, v in c.row.properties.items() if v is not None}
        if name == "company":
            return lambda pk, c: c.company_id
        if name in ("created_at", "updated_at"):
            return lambda pk, c: c.row.values.get("created_at") or now
        if name == "owner":
            return lambda pk, c: c.row.values.get("owner") or owner_id
        if name == "created_by":
            return lambda pk, c: owner_id
        if name == "original_source":
            return lambda pk, c: c.row.values.get("original_source") or "import"
        if name in ("pipeline", "stage"):
            fallback = self._deal_default(name)
            return lambda pk, c: c.row.values.get(attname) or fallback
        default = _default(model_field)
        if isinstance(model_field, models.DecimalField):
            return lambda pk, c: self._new_value(model_field, c) if name in c.row.values \
                else default
        return lambda pk, c: c.row.values.get(name, default)

    def _deal_default(self, name: str):
        pipelines, default = self._deal_defaults or _pipeline_lookup()
        return default["id"] if name == "pipeline" else default["first"]

    def _update(self, updates: list[tuple], result: ChunkResult) -> None:
        if not updates:
            return
        fields = [self.fields["id"], *self.update_fields]
        rows = [(pk, *(new[f.attname] for f in self.update_fields), properties)
                for pk, new, properties, _previous, _candidate in updates]
        writing.update_records(self.model, fields, rows)
        ids = [pk for pk, *_rest in updates]
        result.record_ids += ids
        writing.record_changes(self.job.pk, self.type, [],
                               [(pk, previous) for pk, _n, _p, previous, _c in updates])
        writing.emit_imported(self.model, actor_id=self.job.owner_id,
                              data_by_action=self.data, ids_by_action={"updated": ids})
        result.updated += len(updates)


LEASE = timedelta(minutes=5)
WRITERS = 2
# Columns of a new record whose value is not simply the row's value of that name.
COMPUTED = {"id", "properties", "company", "created_at", "updated_at", "owner", "created_by",
            "original_source", "pipeline", "stage"}


def _close_writer_connections(pool: ThreadPoolExecutor, writers: int) -> None:
    """Close each writer thread's connection from inside that thread (a barrier makes every
    thread take one of the closing tasks)."""
    from django.db import connection

    barrier = threading.Barrier(writers)

    def close() -> None:
        connection.close()
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass

    for future in [pool.submit(close) for _thread in range(writers)]:
        future.result()


def _default(model_field: models.Field):
    if model_field.has_default() or not model_field.null:
        return model_field.get_default()
    return None


def _same(old, new) -> bool:
    """Equal as stored; emails compare without regard to case, as they match."""
    if isinstance(old, str) and isinstance(new, str) and "@" in new:
        return old.casefold() == new.casefold()
    return old == new


def _pipeline_lookup():
    """({lowercased pipeline name: pipeline info}, the default pipeline's info)."""
    pipelines, default = {}, None
    for pipeline in Pipeline.objects.prefetch_related("stages"):
        stages = list(pipeline.stages.all())
        info = {"id": pipeline.pk, "name": pipeline.name,
                "stages": {s.name.casefold(): s.pk for s in stages},
                "first": stages[0].pk if stages else None}
        pipelines.setdefault(pipeline.name.casefold(), info)
        if default is None or (pipeline.is_default and not default["is_default"]):
            default = {**info, "is_default": pipeline.is_default}
    return pipelines, default
