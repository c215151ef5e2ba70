"""Reads for segment pages, the builder and the API.

Anyone who may view contacts sees the segments (their sizes count every member); the
members a person is shown are only the contacts they may see. Creating and editing needs
the `segments.manage` capability.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clarion.core.events.models import Event
from clarion.core.filters import compile_filter
from clarion.core.permissions import has_capability, record_scope, visible_to
from clarion.crm.models import Contact
from clarion.segments.leaves import KNOWN_EVENT_KINDS
from clarion.segments.models import Segment, SegmentMembership, SegmentSizeSample

PREVIEW_LIMIT = 10
DISTINCT_KINDS_SCAN = 100  # distinct kinds read from the events table, at most

KIND_LABELS = {
    "page.viewed": _("Viewed a page"),
    "email.opened": _("Opened an email"),
    "email.clicked": _("Clicked a link in an email"),
    "form.submitted": _("Submitted a form"),
    "contact.created": _("Was created"),
    "contact.property_changed": _("Had a property changed"),
    "deal.contact_added": _("Was added to a deal"),
    "segment.joined": _("Joined a segment"),
    "segment.left": _("Left a segment"),
}


def can_view_segments(user) -> bool:
    return record_scope(user, Contact.capability_area, "view") is not None


def can_manage_segments(user) -> bool:
    return has_capability(user, "segments.manage") and can_view_segments(user)


def segments_for(user) -> QuerySet:
    """The segments and lists the user may see (all of them, for anyone who sees
    contacts), by name."""
    if not can_view_segments(user):
        return Segment.objects.none()
    return Segment.objects.select_related("owner").order_by("name", "id")


def members(segment: Segment, user) -> QuerySet:
    """The segment's members the user may see, newest member first."""
    contacts = Contact.objects.filter(segment_memberships__segment=segment)
    return visible_to(user, contacts).select_related("owner", "company")


def matching(definition: dict, user) -> QuerySet:
    """The contacts the user may see that match `definition` now (validated; raises
    InvalidFilter)."""
    q = compile_filter(definition or {"all": []}, Contact, user=user)
    return visible_to(user, Contact.objects.filter(q))


def count_matching(definition: dict, user) -> int:
    return matching(definition, user).count()


def preview_matching(definition: dict, user, limit: int = PREVIEW_LIMIT) -> list[Contact]:
    return list(matching(definition, user).select_related("company")
                .order_by("-created_at", "-id")[:limit])


def memberships_of(contact: Contact) -> QuerySet:
    """The segments and lists the contact belongs to, by name (for the record panel)."""
    return (SegmentMembership.objects.filter(contact=contact).select_related("segment")
            .order_by("segment__name", "segment_id"))


def size_history(segment: Segment, limit: int = 500) -> list[SegmentSizeSample]:
    """The segment's size samples, oldest first (the latest `limit`)."""
    latest = list(segment.size_samples.order_by("-sampled_at", "-id")[:limit])
    return latest[::-1]


def event_kinds() -> list[tuple[str, str]]:
    """(kind, label) for the behaviour builder: the kinds Clarion knows plus those present
    in the events table, known ones first."""
    present = (Event.objects.exclude(contact_id=None).order_by("kind")
               .values_list("kind", flat=True).distinct()[:DISTINCT_KINDS_SCAN])
    kinds = dict.fromkeys([*KNOWN_EVENT_KINDS, *present])
    return [(kind, str(KIND_LABELS.get(kind, kind))) for kind in kinds]


def event_data_keys(kind: str, sample: int = 200) -> list[str]:
    """The data keys seen on the latest events of `kind` (known keys first)."""
    keys = dict.fromkeys(KNOWN_EVENT_KINDS.get(kind, {}))
    for data in (Event.objects.filter(kind=kind).order_by("-id")
                 .values_list("data", flat=True)[:sample]):
        if isinstance(data, dict):
            keys.update(dict.fromkeys(data))
    return list(keys)
