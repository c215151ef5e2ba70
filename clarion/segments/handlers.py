"""Keeping membership live: after an event about a contact, re-check that contact (only) against
the dynamic segments whose definitions could be affected.

Which segments an event can affect is read from their definitions:
- `contact.created`: every dynamic segment;
- `contact.property_changed` (field f): segments naming property or association f;
- an event of kind K about a contact: segments with a behaviour condition on K;
- `segment.joined` / `segment.left` of segment S: segments with a condition on S;
- a change to a company or deal: segments looking through that association, for the
  contacts linked to it;
- `contact.deleted`: member counts are recounted (the memberships went with the contact).

The index is rebuilt when segments change (keyed by their count and latest update), so a
busy event stream costs one small query per event when nothing is affected.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max

from clarion.core.events import on
from clarion.segments.leaves import (
    referenced_associations,
    referenced_event_kinds,
    referenced_properties,
    referenced_segments,
)
from clarion.segments.models import Segment


@dataclass
class SegmentIndex:
    version: tuple = ()
    all_ids: list[int] = field(default_factory=list)
    segments: dict[int, Segment] = field(default_factory=dict)
    by_property: dict[str, set[int]] = field(default_factory=dict)
    by_event_kind: dict[str, set[int]] = field(default_factory=dict)
    by_segment: dict[int, set[int]] = field(default_factory=dict)
    by_association: dict[str, set[int]] = field(default_factory=dict)

    def add(self, segment: Segment) -> None:
        segment_id, definition = segment.pk, segment.definition
        self.segments[segment_id] = segment
        self.all_ids.append(segment_id)
        for name in referenced_properties(definition):
            self.by_property.setdefault(name, set()).add(segment_id)
        for kind in referenced_event_kinds(definition):
            self.by_event_kind.setdefault(kind, set()).add(segment_id)
        for ref in referenced_segments(definition):
            self.by_segment.setdefault(ref, set()).add(segment_id)
        for name in referenced_associations(definition):
            self.by_association.setdefault(name, set()).add(segment_id)


_index = SegmentIndex()


def segment_index() -> SegmentIndex:
    global _index
    dynamic = Segment.objects.filter(kind=Segment.Kind.DYNAMIC, problem="")
    version = tuple(dynamic.aggregate(n=Count("id"), latest=Max("updated_at"),
                                      top=Max("id")).values())
    if version != _index.version:
        index = SegmentIndex(version=version)
        for segment in dynamic.order_by("pk"):
            index.add(segment)
        _index = index
    return _index


def affected_segments(event, index: SegmentIndex | None = None) -> set[int]:
    """The ids of the dynamic segments `event` could change the membership of."""
    index = index or segment_index()
    if not index.all_ids:
        return set()
    kind, data = event.kind, event.data or {}
    found = set(index.by_event_kind.get(kind, ()))
    if kind == "contact.created":
        found |= set(index.all_ids)
    elif kind == "contact.property_changed":
        found |= index.by_property.get(data.get("field"), set())
    elif kind in ("segment.joined", "segment.left"):
        found |= index.by_segment.get(data.get("segment"), set())
    elif kind in ("deal.contact_added", "deal.contact_removed"):
        found |= index.by_association.get("deals", set())
    return found


def _linked_contacts(event) -> tuple[list[int], set[int]]:
    """For company and deal changes: (the contacts linked to the record, the segments
    looking through that association)."""
    from clarion.crm.models import Contact, Deal

    index = segment_index()
    from django.contrib.contenttypes.models import ContentType

    subject_type = (ContentType.objects.get_for_id(event.subject_type_id).model
                    if event.subject_type_id else "")
    if subject_type == "company":
        segments = index.by_association.get("company", set())
        contacts = Contact.objects.filter(company_id=event.subject_id)
    elif subject_type == "deal":
        segments = index.by_association.get("deals", set())
        contacts = Contact.objects.filter(deals__in=Deal.objects.filter(pk=event.subject_id))
    else:
        return [], set()
    if not segments:
        return [], set()
    return list(contacts.values_list("pk", flat=True)), segments


@on("*", name="clarion.segments.recheck")
def recheck_after_event(event) -> None:
    from clarion.segments.services import recheck_contacts, recount_members

    if event.kind.startswith("segment.") and event.kind not in ("segment.joined",
                                                                "segment.left"):
        return
    if event.kind == "contact.deleted":
        recount_members()
        return
    if event.contact_id is not None:
        index = segment_index()
        segment_ids = affected_segments(event, index)
        if segment_ids:
            recheck_contacts([event.contact_id],
                             [index.segments[pk] for pk in sorted(segment_ids)])
    if event.kind.startswith(("company.", "deal.")) and event.kind not in (
            "deal.contact_added", "deal.contact_removed"):
        contact_ids, segment_ids = _linked_contacts(event)
        if contact_ids:
            recheck_contacts(contact_ids, _segments(segment_ids))


def _segments(ids: set[int]) -> list[Segment]:
    """The segments (as of the index's version: a change to any of them rebuilds it)."""
    known = segment_index().segments
    return [known[pk] for pk in sorted(ids) if pk in known]
