"""Set-based writes of one chunk of an import, the same statements on PostgreSQL and SQLite
except how rows reach the database:

- PostgreSQL: `COPY` into a temporary staging table, then one `INSERT … SELECT` (creates) or
  `UPDATE … FROM` (updates) per chunk; the undo log of created records and the `imported`
  events are made server-side from one list of ids. Lists of ids and keys travel as one
  text parameter split by the server (`string_to_array`): adapting a Python list of ten
  thousand items costs more than the statement that uses it.
- SQLite: batched `executemany` inserts (the write transaction holds the database, so no one
  else can create a conflicting row meanwhile).

Primary keys of new rows are allocated before inserting, so every row's id is known without
relying on the order of RETURNING.
"""

import hashlib
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from clarion.core.events.models import Event
from clarion.core.events.wakeup import wake_dispatcher
from clarion.integrations.models import ImportChange


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def relax_durability() -> None:
    """Commit the current transaction without waiting for its WAL to reach the disk
    (`synchronous_commit = off`, this transaction only). A crash of the database server may
    then lose the last commits of the previous fraction of a second, each whole and in order:
    a chunk's records, events, undo log and the job's counters go together, so the import
    resumes after the last chunk that survived, as it does after a worker's death. Anything
    committed synchronously afterwards (the finished job) flushes them first."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`'s table, never handed out again."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute("SELECT string_agg(nextval(pg_get_serial_sequence(%s, 'id'))::text, "
                           "',') FROM generate_series(1, %s)", [table, count])
            return [int(pk) for pk in cursor.fetchone()[0].split(",")]
        # The write transaction holds SQLite's lock, so max + n can't be taken meanwhile;
        # inserting them moves AUTOINCREMENT's counter past them.
        cursor.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), "
                       "0), coalesce((SELECT max(id) FROM " + connection.ops.quote_name(table)
                       + "), 0))", [table])
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def id_list(ids: Sequence[int]) -> str:
    """Ids as one parameter for `string_to_array(%s, ',')::bigint[]`."""
    return ",".join(map(str, ids))


ID_ARRAY = "string_to_array(%s, ',')::bigint[]"


def _column_types(model, fields: Sequence[models.Field]) -> str:
    return ", ".join(f"{connection.ops.quote_name(f.column)} {f.db_type(connection)}"
                     for f in fields)


def _prepare(fields: Sequence[models.Field], rows: list[tuple]) -> list[tuple]:
    """Python values as the database driver takes them. Only the columns that need it are
    converted (JSON always; dates and decimals on SQLite): calling each field's
    get_db_prep_save on every cell of a million rows costs more than the rest of the write."""
    converters = [(index, _converter(f)) for index, f in enumerate(fields)]
    converters = [(index, convert) for index, convert in converters if convert is not None]
    if not converters:
        return rows
    prepared = []
    for row in rows:
        cells = list(row)
        for index, convert in converters:
            if cells[index] is not None:
                cells[index] = convert(cells[index])
        prepared.append(tuple(cells))
    return prepared


_JSON = DjangoJSONEncoder(ensure_ascii=False)  # one encoder for every cell, not one each


def _to_json(value) -> str:
    return _JSON.encode(value)


def _converter(model_field: models.Field):
    if isinstance(model_field, models.JSONField):
        return _to_json
    if is_postgresql():
        return None   # psycopg adapts str, int, Decimal, date and datetime itself
    if isinstance(model_field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(model_field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(model_field, models.DecimalField):
        return str
    return None


def _load(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Put `rows` into `table`: COPY on PostgreSQL, one executemany elsewhere."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def _stage(name: str, model, fields: Sequence[models.Field]) -> str:
    """A temporary staging table with `fields`' columns, empty, named per model."""
    # Named after its columns: another import on this connection may stage other columns.
    shape = hashlib.blake2s("|".join(["on-commit", *(f.column for f in fields)]).encode(),
                            digest_size=6)
    table = f"import_stage_{model._meta.model_name}_{name}_{shape.hexdigest()}"
    # On PostgreSQL each commit empties the table in place (ON COMMIT DELETE ROWS), so the
    # DELETE finds nothing to do unless the same transaction staged rows before: no dead
    # rows pile up (nothing vacuums temporary tables), and no TRUNCATE gives the table new
    # files for every chunk.
    on_commit = " ON COMMIT DELETE ROWS" if is_postgresql() else ""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} "
                       f"({_column_types(model, fields)}){on_commit}")
        cursor.execute(f"DELETE FROM {table}")
    return table


def insert_records(model: type[models.Model], fields: list[models.Field],
                   rows: list[tuple], constants: dict | None = None) -> set[int]:
    """Insert rows of `fields` (the first is the allocated id), every row also getting the
    `constants` ({field: value}: the columns no cell of the file sets). Returns the ids
    inserted: on PostgreSQL a row whose unique key someone else took meanwhile is left out.
    Constants travel once, as parameters, instead of once per row through COPY."""
    if not rows:
        return set()
    constants = constants or {}
    prepared = _prepare(fields, rows)
    columns = [f.column for f in fields]
    fixed_columns = [f.column for f in constants]
    fixed_values = [f.get_db_prep_save(value, connection) for f, value in constants.items()]
    target = connection.ops.quote_name(model._meta.db_table)
    if not is_postgresql():
        fixed = tuple(fixed_values)
        _load(target, columns + fixed_columns, [row + fixed for row in prepared])
        return {row[0] for row in rows}
    stage = _stage("new", model, fields)
    _load(stage, columns, prepared)
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns + fixed_columns)
    selected = ", ".join([q(c) for c in columns] + ["%s"] * len(fixed_columns))
    insert = f"INSERT INTO {target} ({names}) SELECT {selected} FROM {stage}"
    with connection.cursor() as cursor:
        # Nearly always no one else has created one of these records since the chunk was
        # matched: a plain INSERT (in a savepoint) costs a sixth less than ON CONFLICT's
        # speculative insertion of every row. Only when it meets a taken key does the chunk
        # insert again, leaving such rows out.
        try:
            with transaction.atomic():
                cursor.execute(insert, fixed_values)
            return {row[0] for row in rows}
        except IntegrityError:
            pass
        cursor.execute(f"{insert} ON CONFLICT DO NOTHING RETURNING id", fixed_values)
        return {row[0] for row in cursor.fetchall()}


def update_records(model: type[models.Model], fields: list[models.Field],
                   rows: list[tuple]) -> None:
    """Apply updates: `rows` hold the id, the new values of `fields[1:]` (all columns the
    import maps) and, last, the custom properties to merge into the record's JSON."""
    if not rows:
        return
    properties_field = model._meta.get_field("properties")
    stage_fields = [*fields, properties_field]
    stage = _stage("changed", model, stage_fields)
    _load(stage, [f.column for f in stage_fields], _prepare(stage_fields, rows))
    q = connection.ops.quote_name
    merge = ("t.properties || s.properties" if is_postgresql()
             else "json_patch(t.properties, s.properties)")
    assignments = [f"{q(f.column)} = s.{q(f.column)}" for f in fields[1:]]
    assignments += [f"properties = {merge}", "updated_at = %s", "version = t.version + 1"]
    table = q(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} AS t SET {', '.join(assignments)} FROM {stage} AS s "
                       f"WHERE t.id = s.id", [timezone.now()])


def record_changes(job_id: int, record_type: str, created_ids: Sequence[int],
                   updates: list[tuple[int, dict]]) -> None:
    """The undo log: created ids, and (id, previous values) of updated records."""
    table = connection.ops.quote_name(ImportChange._meta.db_table)
    columns = ["job_id", "record_type", "record_id", "action", "previous"]
    rows = [(job_id, record_type, record_id, ImportChange.Action.UPDATED,
             _to_json(previous)) for record_id, previous in updates]
    if created_ids and is_postgresql():
        # The ids go as one array; the server makes the rows.
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (job_id, record_type, record_id, action) "
                           f"SELECT %s, %s, unnest({ID_ARRAY}), %s",
                           [job_id, record_type, id_list(created_ids),
                            ImportChange.Action.CREATED])
    elif created_ids:
        rows += [(job_id, record_type, record_id, ImportChange.Action.CREATED, None)
                 for record_id in created_ids]
    if rows:
        _load(table, columns, rows)


def emit_imported(model: type[models.Model], *, actor_id: int | None, data_by_action: dict,
                  ids_by_action: dict[str, Sequence[int]]) -> None:
    """`<type>.imported` events for the records, set-based, with one dispatcher wake-up
    after commit (what `core.events.emit_many` does, without building a model instance per
    event: a million-row import writes a million events)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("imported events need the chunk's "
                                                     "transaction")
    kind = f"{model._meta.model_name}.imported"
    content_type_id = ContentType.objects.get_for_model(model).pk
    is_contact = model._meta.model_name == "contact"
    now = timezone.now()
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ["kind", "occurred_at", "contact_id", "subject_type_id", "subject_id",
               "actor_id", "data", "claimed_by"]
    emitted = False
    for action, ids in ids_by_action.items():
        if not ids:
            continue
        emitted = True
        data = _to_json(data_by_action[action])
        if is_postgresql():
            contact = "id" if is_contact else "NULL"
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT %s, %s, "
                               f"{contact}, %s, id, %s, %s::jsonb, '' "
                               f"FROM unnest({ID_ARRAY}) AS id",
                               [kind, now, content_type_id, actor_id, data, id_list(ids)])
            continue
        _load(table, columns, [(kind, now, record_id if is_contact else None,
                                content_type_id, record_id, actor_id, data, "")
                               for record_id in ids])
    if emitted:
        transaction.on_commit(wake_dispatcher, robust=True)
