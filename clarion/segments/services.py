"""Every write to segments and their membership. Each function is one transaction that
changes state and emits the events describing it.

    create_segment(actor=…, name=…, kind=…, definition=…)   -> segment   `segment.created`
    update_segment(segment, actor=…, **changes)              -> segment   `segment.updated`
    delete_segment(segment, actor=…)                                      `segment.deleted`
    refresh_segment(segment)                                 -> (joined, left)
    recheck_contacts(contact_ids, segments)                  -> (joined, left)
    add_members(list_, contacts, actor=…) / remove_members(…) -> how many changed
    refresh_all_due()                                        -> segments refreshed

Membership changes emit `segment.joined` / `segment.left` (contact_id = the contact,
subject = the segment) exactly once per change: every path computes the difference between
the matching set and the stored set while holding the segment's row lock, so two refreshes
(or a refresh and an incremental re-check) never both record the same change.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.events import NewEvent, emit, emit_many
from clarion.core.filters import InvalidFilter, build_catalogue, compile_filter
from clarion.core.filters.catalogue import Catalogue
from clarion.core.filters.validation import validate_tree
from clarion.crm.models import Contact
from clarion.segments.leaves import referenced_segments, walk
from clarion.segments.models import Segment, SegmentMembership, SegmentSizeSample

logger = logging.getLogger(__name__)

# How often the scheduler refreshes every dynamic segment (relative dates drift without any
# event; the refresh also heals anything an incremental re-check missed).
REFRESH_EVERY = timedelta(minutes=15)
CHUNK = 5000
EDITABLE = ("name", "description", "definition", "owner")


# --- Validation -----------------------------------------------------------------------------

def validate_definition(definition: dict | None, *, kind: str,
                        segment: Segment | None = None,
                        catalogue: Catalogue | None = None) -> dict:
    """The definition, checked and normalised; raises InvalidFilter naming the bad leaf
    (unknown property, bad value, missing or cyclic segment reference)."""
    if kind == Segment.Kind.STATIC:
        return {"all": []}
    definition = definition if definition else {"all": []}
    normalised = validate_tree(definition, catalogue or build_catalogue(Contact))
    for leaf in walk(normalised):
        if leaf.get("value") == "me" or (isinstance(leaf.get("value"), list)
                                         and "me" in leaf["value"]):
            raise InvalidFilter(_("'me' has no meaning in a saved segment, which is the same "
                                  "for everyone; choose a person"),
                                f"filter (property '{leaf.get('property')}')")
    if segment is not None and segment.pk:
        _reject_cycles(segment.pk, normalised)
    return normalised


def _reject_cycles(segment_id: int, definition: dict) -> None:
    """A segment may not contain itself, however indirectly."""
    definitions = dict(Segment.objects.exclude(pk=segment_id)
                       .values_list("pk", "definition"))
    seen, stack = set(), [(ref, [ref]) for ref in referenced_segments(definition)]
    while stack:
        ref, trail = stack.pop()
        if ref == segment_id:
            chain = " → ".join(str(step) for step in [segment_id, *trail])
            raise InvalidFilter(_("segment %(id)s would contain itself (%(chain)s)")
                                % {"id": segment_id, "chain": chain},
                                f"filter (segment {trail[0]})")
        if ref in seen:
            continue
        seen.add(ref)
        stack.extend((nxt, [*trail, nxt])
                     for nxt in referenced_segments(definitions.get(ref)))


# --- Creating, changing, deleting -----------------------------------------------------------

def _event_data(segment: Segment) -> dict:
    return {"segment": segment.pk, "name": segment.name, "kind": segment.kind}


@transaction.atomic
def create_segment(*, actor, name: str, kind: str, definition: dict | None = None,
                   description: str = "") -> Segment:
    """A new segment (its membership computed at once) or an empty static list."""
    kind = Segment.Kind(kind)
    normalised = validate_definition(definition, kind=kind)
    segment = Segment.objects.create(
        name=name, description=description, kind=kind, definition=normalised,
        owner=actor if getattr(actor, "is_authenticated", False) else None)
    emit("segment.created", subject=segment, actor=actor, data=_event_data(segment))
    if segment.is_dynamic:
        refresh_segment(segment)
        segment.refresh_from_db()
    else:
        _sample(segment)
    return segment


@transaction.atomic
def update_segment(segment: Segment, *, actor, **changes) -> Segment:
    """Change name, description, definition or owner; a changed definition refreshes the
    membership at once (and clears a problem the new definition no longer has)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_segment() can't change {', '.join(sorted(unknown))}")
    current = Segment.objects.select_for_update().get(pk=segment.pk)
    if "definition" in changes:
        changes["definition"] = validate_definition(changes["definition"], kind=current.kind,
                                                    segment=current)
    changed = {name: value for name, value in changes.items()
               if getattr(current, name) != value}
    if not changed:
        return current
    for name, value in changed.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    if "definition" in changed:
        current.problem = ""
    current.save()
    emit("segment.updated", subject=current, actor=actor,
         data={**_event_data(current), "fields": sorted(changed)})
    if "definition" in changed and current.is_dynamic:
        refresh_segment(current)
        current.refresh_from_db()
    return current


@transaction.atomic
def delete_segment(segment: Segment, *, actor) -> None:
    """Delete the segment; segments whose definitions refer to it are flagged (they keep
    their members until someone fixes the definition)."""
    segment_id, name = segment.pk, segment.name
    emit("segment.deleted", actor=actor, data=_event_data(segment))
    Segment.objects.filter(pk=segment_id).delete()
    for other in Segment.objects.filter(problem=""):
        if segment_id in referenced_segments(other.definition):
            flag_problem(other, _("The condition on segment “%(name)s” (%(id)s) refers to a "
                                  "segment that was deleted.") % {"name": name,
                                                                  "id": segment_id})


def flag_problem(segment: Segment, problem: str) -> None:
    Segment.objects.filter(pk=segment.pk).update(problem=problem)
    segment.problem = problem


# --- Membership: the one routine every path goes through ------------------------------------

def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(connection=connection).as_sql()


def _members_of(segment: Segment) -> QuerySet:
    return SegmentMembership.objects.filter(segment_id=segment.pk)


def _sync(segment: Segment, matching: QuerySet, *, scope: Iterable[int] | None = None,
          now=None) -> tuple[list[int], list[int]]:
    """Make the stored membership of `segment` (restricted to the contacts in `scope`, or
    all) equal `matching`, with one INSERT … SELECT and one DELETE; returns the contact ids
    that joined and left. The caller holds the segment's row lock."""
    now = now or timezone.now()
    current = _members_of(segment)
    if scope is not None:
        scope = list(scope)
        matching = matching.filter(pk__in=scope)
        current = current.filter(contact_id__in=scope)
    newcomers = matching.filter(~Exists(_members_of(segment).filter(contact_id=OuterRef("pk"))))
    joined = _insert_members(segment, newcomers, now)
    leavers = current.filter(~Exists(matching.filter(pk=OuterRef("contact_id"))))
    left = _delete_members(leavers)
    return joined, left


def _insert_members(segment: Segment, contacts: QuerySet, now) -> list[int]:
    table = SegmentMembership._meta.db_table
    select, params = _sql(contacts.order_by().values(member_id=F("pk")))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (segment_id, contact_id, joined_at) "  # noqa: S608
            f"SELECT %s, picked.member_id, %s FROM ({select}) AS picked RETURNING contact_id",
            (segment.pk, connection.ops.adapt_datetimefield_value(now), *params))
        return [row[0] for row in cursor.fetchall()]


def _delete_members(memberships: QuerySet) -> list[int]:
    table = SegmentMembership._meta.db_table
    select, params = _sql(memberships.order_by().values("pk"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({select}) "  # noqa: S608
                       "RETURNING contact_id", params)
        return [row[0] for row in cursor.fetchall()]


def _record_changes(segment: Segment, joined: list[int], left: list[int], *, actor=None,
                    now=None, sample: bool = False) -> None:
    """Events, counters and the size sample after a membership change."""
    now = now or timezone.now()
    data = {"segment": segment.pk, "name": segment.name}
    emit_many([NewEvent("segment.joined", contact_id=pk, subject=segment, actor=actor,
                        data=data, occurred_at=now) for pk in joined]
              + [NewEvent("segment.left", contact_id=pk, subject=segment, actor=actor,
                          data=data, occurred_at=now) for pk in left])
    delta = len(joined) - len(left)
    fields = {}
    if joined or left:
        fields.update(member_count=F("member_count") + delta, last_changed_at=now)
    if sample:
        fields["last_refreshed_at"] = now
    if fields:
        Segment.objects.filter(pk=segment.pk).update(**fields)
    if sample:
        SegmentSizeSample.objects.create(segment_id=segment.pk, sampled_at=now,
                                         size=segment.member_count + delta)


def _sample(segment: Segment) -> None:
    SegmentSizeSample.objects.create(segment_id=segment.pk, size=segment.member_count)


def compile_definition(segment: Segment, *, catalogue: Catalogue | None = None,
                       now=None) -> Q:
    """The segment's definition as a Q over contacts (evaluated for no particular viewer)."""
    return compile_filter(segment.definition or {"all": []}, Contact, now=now,
                          catalogue=catalogue)


def _locked(segment: Segment) -> Segment:
    return Segment.objects.select_for_update().get(pk=segment.pk)


@transaction.atomic
def refresh_segment(segment: Segment) -> tuple[int, int]:
    """Recompute a dynamic segment's whole membership, set-based; returns (joined, left).
    A definition that no longer validates (a property or segment it names was deleted)
    flags the segment and keeps its members."""
    locked = _locked(segment)
    if not locked.is_dynamic:
        return 0, 0
    now = timezone.now()
    try:
        q = compile_definition(locked, now=now)
    except InvalidFilter as error:
        flag_problem(locked, str(error))
        segment.problem = locked.problem
        return 0, 0
    if locked.problem:
        flag_problem(locked, "")
    joined, left = _sync(locked, Contact.objects.filter(q), now=now)
    _record_changes(locked, joined, left, now=now, sample=True)
    _analyze_after_bulk_change(len(joined) + len(left))
    segment.problem = ""
    return len(joined), len(left)


@transaction.atomic
def recheck_contacts(contact_ids: Iterable[int], segments: Iterable[Segment], *,
                     catalogue: Catalogue | None = None) -> tuple[int, int]:
    """Re-evaluate only these contacts against these dynamic segments (the incremental
    path, after an event about them); returns (joined, left) over all segments.

    One query asks which contacts match which segments now and one reads what is stored;
    only the segments where the two differ are locked and synced (by the same routine as a
    full refresh, restricted to these contacts), so the common case — nothing changes —
    writes nothing and takes no lock."""
    contact_ids = list(dict.fromkeys(contact_ids))
    segments = [s for s in segments if s.is_dynamic and not s.problem]
    if not contact_ids or not segments:
        return 0, 0
    catalogue = catalogue or build_catalogue(Contact)
    now = timezone.now()
    compiled = _compiled(segments, catalogue, now)
    differing = _differing(contact_ids, compiled)
    total_joined = total_left = 0
    for segment in segments:
        if segment.pk not in differing:
            continue
        locked = _locked(segment)
        joined, left = _sync(locked, Contact.objects.filter(compiled[segment.pk]),
                             scope=differing[segment.pk], now=now)
        if joined or left:
            _record_changes(locked, joined, left, now=now)
        total_joined += len(joined)
        total_left += len(left)
    return total_joined, total_left


def _compiled(segments: list[Segment], catalogue: Catalogue, now) -> dict[int, Q]:
    compiled = {}
    for segment in segments:
        try:
            compiled[segment.pk] = compile_definition(segment, catalogue=catalogue, now=now)
        except InvalidFilter as error:
            flag_problem(segment, str(error))
    return compiled


def _differing(contact_ids: list[int], compiled: dict[int, Q]) -> dict[int, list[int]]:
    """{segment id: the contacts whose stored membership differs from a fresh evaluation}."""
    if not compiled:
        return {}
    columns = {f"in_{pk}": ExpressionWrapper(q, output_field=BooleanField())
               for pk, q in compiled.items()}
    matching = set()
    for contact_id, *flags in (Contact.objects.filter(pk__in=contact_ids).order_by()
                               .annotate(**columns).values_list("pk", *columns)):
        matching.update((contact_id, pk) for pk, flag in zip(compiled, flags, strict=True)
                        if flag)
    stored = set(SegmentMembership.objects.filter(contact_id__in=contact_ids,
                                                  segment_id__in=list(compiled))
                 .values_list("contact_id", "segment_id"))
    differing: dict[int, list[int]] = {}
    for contact_id, segment_id in sorted(matching ^ stored):
        differing.setdefault(segment_id, []).append(contact_id)
    return differing


ANALYZE_AFTER = 10_000


def _analyze_after_bulk_change(changed: int) -> None:
    """After a large change, refresh PostgreSQL's statistics of the membership table, so
    the next set difference is planned as a hash anti-join rather than as nested loops
    sized for the empty table autovacuum last saw."""
    if changed >= ANALYZE_AFTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SegmentMembership._meta.db_table}")


def recount_members(segments: Iterable[Segment] | None = None) -> None:
    """Set member_count from the stored rows (after contacts were deleted: their
    memberships went with them)."""
    from django.db.models import Count, Subquery
    from django.db.models.functions import Coalesce

    counts = (SegmentMembership.objects.filter(segment_id=OuterRef("pk")).order_by()
              .values("segment_id").annotate(n=Count("pk")).values("n"))
    targets = Segment.objects.all()
    if segments is not None:
        targets = targets.filter(pk__in=[s.pk for s in segments])
    targets.update(member_count=Coalesce(Subquery(counts), 0))


def refresh_all_due(*, older_than: timedelta | None = None) -> int:
    """Refresh every dynamic segment not refreshed within `older_than` (default: the
    scheduler's interval), one transaction each; returns how many were refreshed."""
    cutoff = timezone.now() - (older_than if older_than is not None else REFRESH_EVERY / 2)
    due = (Segment.objects.filter(kind=Segment.Kind.DYNAMIC)
           .filter(Q(last_refreshed_at__isnull=True) | Q(last_refreshed_at__lte=cutoff))
           .order_by("last_refreshed_at", "id"))
    refreshed = 0
    for segment in due:
        try:
            refresh_segment(segment)
            refreshed += 1
        except Exception:  # one broken segment must not stop the others
            logger.exception("Refreshing segment %s failed", segment.pk)
    return refreshed


# --- Static lists ---------------------------------------------------------------------------

def _contact_ids(contacts) -> QuerySet:
    if isinstance(contacts, QuerySet):
        return contacts.values("pk") if contacts.model is Contact else contacts
    ids = [getattr(c, "pk", c) for c in contacts]
    return Contact.objects.filter(pk__in=ids).values("pk")


def _require_static(segment: Segment) -> None:
    if not segment.is_static:
        raise ValueError(_("Only static lists take contacts by hand; a dynamic segment's "
                           "members follow its conditions."))


@transaction.atomic
def add_members(segment: Segment, contacts, *, actor) -> int:
    """Add contacts (a queryset, or contacts / ids) to a static list; returns how many were
    not members yet. Unknown ids are ignored."""
    _require_static(segment)
    locked = _locked(segment)
    now = timezone.now()
    newcomers = Contact.objects.filter(pk__in=_contact_ids(contacts)).filter(
        ~Exists(_members_of(locked).filter(contact_id=OuterRef("pk"))))
    joined = _insert_members(locked, newcomers, now)
    _record_changes(locked, joined, [], actor=actor, now=now)
    return len(joined)


@transaction.atomic
def remove_members(segment: Segment, contacts, *, actor) -> int:
    """Remove contacts from a static list; returns how many were members."""
    _require_static(segment)
    locked = _locked(segment)
    now = timezone.now()
    left = _delete_members(_members_of(locked).filter(contact_id__in=_contact_ids(contacts)))
    _record_changes(locked, [], left, actor=actor, now=now)
    return len(left)


def sample_sizes() -> int:
    """A size sample for every static list (dynamic segments sample on each refresh)."""
    lists = list(Segment.objects.filter(kind=Segment.Kind.STATIC).only("pk", "member_count"))
    SegmentSizeSample.objects.bulk_create(
        [SegmentSizeSample(segment_id=s.pk, size=s.member_count) for s in lists])
    return len(lists)
