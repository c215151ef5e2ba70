"""The segments API: segments and static lists, their members, and counting a definition.

Reading needs the `segments:read` scope (anyone who may view contacts may see segments);
changing needs `segments:write` and the `segments.manage` capability. Members are always
restricted to the contacts the key's user may see. Writes go through
`clarion.segments.services`, like the web pages.
"""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination
from clarion.core.filters import InvalidFilter
from clarion.core.permissions import visible_to
from clarion.crm.api_schemas import ContactOut, Id, Input
from clarion.crm.models import Contact
from clarion.segments import queries, services
from clarion.segments.models import Segment

READ, WRITE = "segments:read", "segments:write"
MAX_MEMBERS_PER_REQUEST = 1000
MAX_PREVIEW = 50

router = Router(tags=["segments"], auth=scope_required(READ))


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    definition: dict[str, Any]
    owner_id: int | None
    member_count: int
    created_at: datetime
    updated_at: datetime
    last_refreshed_at: datetime | None
    last_changed_at: datetime | None
    problem: str


class SegmentPage(Schema):
    results: list[SegmentOut]
    next: str | None = None


class SegmentIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    kind: Literal["dynamic", "static"] = "dynamic"
    definition: dict[str, Any] | None = Field(
        None, description="A filter tree (docs/filters.md); ignored for static lists.")


class SegmentPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    definition: dict[str, Any] | None = None


class MembersIn(Input):
    contact_ids: list[Id] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST)
    emails: list[str] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST)


class MembersChanged(Schema):
    changed: int
    member_count: int


class MemberPage(Schema):
    results: list[ContactOut]
    next: str | None = None


class RefreshOut(Schema):
    joined: int
    left: int
    member_count: int
    problem: str


class CountIn(Input):
    definition: dict[str, Any]
    preview: int = Field(10, ge=0, le=MAX_PREVIEW)


class CountOut(Schema):
    count: int
    preview: list[ContactOut]


class EventKindOut(Schema):
    kind: str
    label: str


class SizeOut(Schema):
    sampled_at: datetime
    size: int


class NotAList(APIError):
    status, code = 409, "not_a_static_list"


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


def _get(user, segment_id: int) -> Segment:
    segment = queries.segments_for(user).filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(_("No segment with id %(id)s.") % {"id": segment_id})
    return segment


def _manageable(user, segment_id: int) -> Segment:
    segment = _get(user, segment_id)
    if not queries.can_manage_segments(user):
        raise Forbidden(_("You may not change segments."))
    return segment


def _invalid_definition(error: InvalidFilter, field: str = "definition") -> ValidationError:
    return ValidationError({f"body.{field}": [str(error)]})


@router.get("", response=SegmentPage, **_named("list_segments"),
            summary="List segments and lists")
def list_segments(request, pagination: Query[CursorPagination.Input],
                  kind: Literal["dynamic", "static"] | None = None):
    segments = queries.segments_for(request.user)
    if kind:
        segments = segments.filter(kind=kind)
    return CursorPagination(order_by="id").paginate_queryset(segments, pagination, request)


def _create(request: HttpRequest, payload: SegmentIn) -> tuple[int, dict]:
    if not queries.can_manage_segments(request.user):
        raise Forbidden(_("You may not create segments."))
    try:
        segment = services.create_segment(actor=request.user, name=payload.name,
                                          kind=payload.kind, definition=payload.definition,
                                          description=payload.description)
    except InvalidFilter as error:
        raise _invalid_definition(error) from None
    return 201, SegmentOut.from_orm(segment).model_dump(mode="json")


@router.post("", response={201: SegmentOut}, auth=scope_required(WRITE),
             **_named("create_segment"), summary="Create a segment or a static list")
def create(request, payload: SegmentIn):
    return Status(*run_once(request, lambda: _create(request, payload)))


@router.post("/count", response=CountOut, **_named("count_segment_definition"),
             summary="Count (and preview) the contacts a definition matches now")
def count(request, body: CountIn):
    try:
        total = queries.count_matching(body.definition, request.user)
        preview = (queries.preview_matching(body.definition, request.user, body.preview)
                   if body.preview else [])
    except InvalidFilter as error:
        raise _invalid_definition(error) from None
    return {"count": total, "preview": preview}


@router.get("/event-kinds", response=list[EventKindOut], **_named("segment_event_kinds"),
            summary="Event kinds a behaviour condition can name")
def event_kinds(request):
    return [{"kind": kind, "label": label} for kind, label in queries.event_kinds()]


@router.get("/{int:segment_id}", response=SegmentOut, **_named("get_segment"),
            summary="Get a segment or list")
def read_one(request, segment_id: Id):
    return _get(request.user, segment_id)


@router.patch("/{int:segment_id}", response=SegmentOut, auth=scope_required(WRITE),
              **_named("update_segment"), summary="Change a segment or list")
def update(request, segment_id: Id, payload: SegmentPatch):
    segment = _manageable(request.user, segment_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    try:
        return services.update_segment(segment, actor=request.user, **changes)
    except InvalidFilter as error:
        raise _invalid_definition(error) from None


@router.delete("/{int:segment_id}", response={204: None}, auth=scope_required(WRITE),
               **_named("delete_segment"), summary="Delete a segment or list")
def delete(request, segment_id: Id):
    services.delete_segment(_manageable(request.user, segment_id), actor=request.user)
    return Status(204, None)


@router.get("/{int:segment_id}/members", response=MemberPage, **_named("segment_members"),
            summary="The members you may see, newest contact first")
def members(request, segment_id: Id, pagination: Query[CursorPagination.Input]):
    segment = _get(request.user, segment_id)
    contacts = queries.members(segment, request.user).select_related(None)
    return CursorPagination(order_by="-created_at").paginate_queryset(contacts, pagination,
                                                                      request)


@router.get("/{int:segment_id}/history", response=list[SizeOut], **_named("segment_history"),
            summary="The segment's size over time")
def history(request, segment_id: Id):
    return queries.size_history(_get(request.user, segment_id))


def _contacts_named(user, body: MembersIn):
    """The contacts the user may see among the ids and emails sent; any other is a 422."""
    visible = visible_to(user, Contact.objects.all())
    found = set(visible.filter(pk__in=body.contact_ids).values_list("pk", flat=True))
    missing = [pk for pk in body.contact_ids if pk not in found]
    if missing:
        raise ValidationError({"body.contact_ids": [
            _("No contact with id %(id)s.") % {"id": missing[0]}]})
    wanted = {email.strip().lower() for email in body.emails}
    by_email = dict(visible.annotate(address=Lower("email")).filter(address__in=wanted)
                    .values_list("address", "pk"))
    unknown = sorted(wanted - set(by_email))
    if unknown:
        raise ValidationError({"body.emails": [
            _("No contact with email %(email)s.") % {"email": unknown[0]}]})
    return found | set(by_email.values())


def _change_members(request, segment_id: int, body: MembersIn, change) -> dict:
    segment = _manageable(request.user, segment_id)
    if not segment.is_static:
        raise NotAList(_("Contacts are added to static lists only; a dynamic segment's "
                         "members follow its conditions."))
    changed = change(segment, _contacts_named(request.user, body), actor=request.user)
    segment.refresh_from_db(fields=["member_count"])
    return {"changed": changed, "member_count": segment.member_count}


@router.post("/{int:segment_id}/members", response=MembersChanged, auth=scope_required(WRITE),
             **_named("add_segment_members"),
             summary="Add contacts to a static list (by id or email)")
def add_members(request, segment_id: Id, body: MembersIn):
    return _change_members(request, segment_id, body, services.add_members)


@router.post("/{int:segment_id}/members/remove", response=MembersChanged,
             auth=scope_required(WRITE), **_named("remove_segment_members"),
             summary="Remove contacts from a static list (by id or email)")
def remove_members(request, segment_id: Id, body: MembersIn):
    return _change_members(request, segment_id, body, services.remove_members)


@router.post("/{int:segment_id}/refresh", response=RefreshOut, auth=scope_required(WRITE),
             **_named("refresh_segment"), summary="Recompute a dynamic segment's members now")
def refresh(request, segment_id: Id):
    segment = _manageable(request.user, segment_id)
    joined, left = services.refresh_segment(segment)
    segment.refresh_from_db()
    return {"joined": joined, "left": left, "member_count": segment.member_count,
            "problem": segment.problem}


routers = [("/segments", router)]
