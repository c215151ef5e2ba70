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

import json
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.events import NewEvent, emit, emit_many
from clarion.core.events.models import Event
from clarion.core.events.services import _event_fields
from clarion.core.events.wakeup import wake_dispatcher
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
BIG_CHUNK = 50_000
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

def _members_of(segment: Segment) -> QuerySet:
    return SegmentMembership.objects.filter(segment_id=segment.pk)


def _sync(segment: Segment, matching: QuerySet, *, scope: Iterable[int] | None = None,
          now=None) -> tuple[list[int], list[int]]:
    """Make the stored membership of `segment` (restricted to the contacts in `scope`, or
    all) equal `matching`; returns the contact ids that joined and left. The caller holds
    the segment's row lock.

    The definition is evaluated once (one query over contacts) and the stored members read
    once (an index-only scan); their differences are written with chunked multi-row INSERTs
    and DELETEs. Taking the difference in the database instead (INSERT … SELECT … WHERE NOT
    EXISTS) lets PostgreSQL plan the anti-join against the membership table it is filling,
    with statistics from before the fill: at 100k members that plan degrades to quadratic."""
    now = now or timezone.now()
    current = _members_of(segment)
    if scope is not None:
        scope = list(scope)
        matching = matching.filter(pk__in=scope)
        current = current.filter(contact_id__in=scope)
    # Plain fetches, not server-side cursors: PostgreSQL plans cursors for the first rows
    # and without parallel workers.
    wanted = set(matching.order_by().values_list("pk", flat=True))
    stored = set(current.order_by().values_list("contact_id", flat=True))
    joined, left = sorted(wanted - stored), sorted(stored - wanted)
    _insert_members(segment, joined, now)
    _delete_members(segment, left)
    return joined, left


def _insert_members(segment: Segment, contact_ids: list[int], now) -> None:
    if connection.vendor == "postgresql":
        table = SegmentMembership._meta.db_table
        with connection.cursor() as cursor:
            for start in range(0, len(contact_ids), BIG_CHUNK):
                cursor.execute(
                    f"INSERT INTO {table} (segment_id, contact_id, joined_at) "  # noqa: S608
                    "SELECT %s, UNNEST(%s::bigint[]), %s",
                    [segment.pk, contact_ids[start:start + BIG_CHUNK], now])
        return
    for start in range(0, len(contact_ids), CHUNK):
        SegmentMembership.objects.bulk_create(
            [SegmentMembership(segment_id=segment.pk, contact_id=pk, joined_at=now)
             for pk in contact_ids[start:start + CHUNK]])


def _delete_members(segment: Segment, contact_ids: list[int]) -> None:
    for start in range(0, len(contact_ids), CHUNK):
        _members_of(segment).filter(
            contact_id__in=contact_ids[start:start + CHUNK]).delete()


def _record_changes(segment: Segment, joined: list[int], left: list[int], *, actor=None,
                    now=None, sample: bool = False) -> None:
    """Events, counters and the size sample after a membership change."""
    now = now or timezone.now()
    for kind, contact_ids in (("segment.joined", joined), ("segment.left", left)):
        _emit_for_each(NewEvent(kind, subject=segment, actor=actor, occurred_at=now,
                                data={"segment": segment.pk, "name": segment.name}),
                       contact_ids)
    delta = len(joined) - len(left)
    fields = {}
    if joined or left:
        fields.update(member_count=F("member_count") + delta, last_changed_at=now)
    if sample:
        fields["last_refreshed_at"] = now
    if fields:
        Segment.objects.filter(pk=segment.pk).update(**fields)
    if sample:
        _sample_if_due(segment, segment.member_count + delta, now)


def _emit_for_each(event: NewEvent, contact_ids: list[int]) -> None:
    """`event` once for each contact. On PostgreSQL the rows emit_many would write go in with
    one INSERT … SELECT UNNEST per 50,000 contacts (a refresh of 100k members would spend
    most of its time building ORM inserts otherwise); the dispatcher is woken the same way."""
    if not contact_ids:
        return
    if connection.vendor != "postgresql" or len(contact_ids) < CHUNK:
        emit_many([replace(event, contact_id=pk) for pk in contact_ids])
        return
    fields = _event_fields(event)
    subject_type = fields["subject_type"].pk
    with connection.cursor() as cursor:
        for start in range(0, len(contact_ids), BIG_CHUNK):
            cursor.execute(
                f"INSERT INTO {Event._meta.db_table} (kind, occurred_at, contact_id, "  # noqa: S608
                "subject_type_id, subject_id, actor_id, data, claimed_by) "
                "SELECT %s, %s, UNNEST(%s::bigint[]), %s, %s, %s, %s::jsonb, ''",
                [fields["kind"], fields["occurred_at"], contact_ids[start:start + BIG_CHUNK],
                 subject_type, fields["subject_id"], getattr(fields.get("actor"), "pk", None),
                 json.dumps(fields["data"])])
    transaction.on_commit(wake_dispatcher, robust=True)


# A refresh records the size when it changed, or at least once a day, so the size-over-time
# chart of a steady segment is not 96 identical points a day.
SAMPLE_AT_LEAST_EVERY = timedelta(days=1)


def _sample_if_due(segment: Segment, size: int, now) -> None:
    last = segment.size_samples.order_by("-sampled_at", "-id").first()
    if last is None or last.size != size or now - last.sampled_at >= SAMPLE_AT_LEAST_EVERY:
        SegmentSizeSample.objects.create(segment_id=segment.pk, sampled_at=now, size=size)


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


@transaction.atomic(savepoint=False)  # called inside the event handler's transaction
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
    wanted = set(Contact.objects.filter(pk__in=_contact_ids(contacts))
                 .values_list("pk", flat=True))
    stored = set(_members_of(locked).filter(contact_id__in=_contact_ids(contacts))
                 .values_list("contact_id", flat=True))
    joined = sorted(wanted - stored)
    _insert_members(locked, joined, now)
    _record_changes(locked, joined, [], actor=actor, now=now)
    return len(joined)


@transaction.atomic
def remove_members(segment: Segment, contacts, *, actor) -> int:
    """Remove contacts from a static list; returns how many were members."""
    _require_static(segment)
    locked = _locked(segment)
    now = timezone.now()
    leaving = sorted(set(_members_of(locked).filter(contact_id__in=_contact_ids(contacts))
                         .values_list("contact_id", flat=True)))
    _delete_members(locked, leaving)
    _record_changes(locked, [], leaving, actor=actor, now=now)
    return len(leaving)


def sample_sizes() -> int:
    """A size sample for every static list (dynamic segments sample on each refresh)."""
    lists = list(Segment.objects.filter(kind=Segment.Kind.STATIC).only("pk", "member_count"))
    SegmentSizeSample.objects.bulk_create(
        [SegmentSizeSample(segment_id=s.pk, size=s.member_count) for s in lists])
    return len(lists)
