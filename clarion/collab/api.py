"""The collaboration REST API: notes, calls and meetings (one set of endpoints per kind),
comments and attachments.

Access is the record's: a key needs the read (or write) scope of the area of what it touches
(`contacts:read` for a contact's notes, `deals:write` to comment on a deal, `tasks:read` for
a task's comments), and its user must be able to see it; anything the user can't see is 404.
Writes go through `clarion.collab.services`, like the web pages.
"""

from datetime import datetime
from typing import Literal

from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from clarion.api.auth import APIKeyAuth
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination
from clarion.collab import queries, services, uploads
from clarion.collab.file_views import declared_too_large, file_response, too_large_message
from clarion.collab.models import Activity, ActivityKind, Attachment, Comment
from clarion.collab.services import ActivityInput, Links
from clarion.collab.targets import TARGET_TYPES, is_admin, target_type_of
from clarion.core.permissions import visible_to
from clarion.crm.api_schemas import Id, Input, Moment
from clarion.crm.models import Company, Contact, Deal

RECORD_MODELS = {"contact": Contact, "company": Company, "deal": Deal}
AREAS = {"contact": "contacts", "company": "companies", "deal": "deals"}


# --- Access ------------------------------------------------------------------------------------

def scope_areas(obj: Model) -> set[str]:
    """The API areas whose scopes reach `obj`: a record's own, a task's, or for a note or a
    comment those of what it belongs to."""
    if isinstance(obj, Activity):
        return {AREAS[name] for name, relation in queries.RELATION.items()
                if getattr(obj, relation).exists()}
    if isinstance(obj, Comment):
        target = obj.target
        return scope_areas(target) if target is not None else set()
    return {target_type_of(obj).scope_area}


def require_scope(request: HttpRequest, areas: set[str], access: str) -> None:
    held = set(request.auth.scopes)
    wanted = sorted(f"{area}:{access}" for area in areas)
    if not held.intersection(wanted):
        raise Forbidden(_("This API key lacks the scope “%(scope)s”.")
                        % {"scope": wanted[0] if wanted else f"contacts:{access}"})


def not_found(kind: str, pk: int) -> NotFound:
    return NotFound(_("No %(type)s with id %(id)s.") % {"type": kind, "id": pk})


def visible_target(request: HttpRequest, type_name: str, pk: int, access: str) -> Model:
    target_type = TARGET_TYPES.get(type_name)
    obj = target_type.model._default_manager.filter(pk=pk).first() if target_type else None
    if obj is None or not target_type.can_view(request.user, obj):
        raise not_found(type_name, pk)
    require_scope(request, scope_areas(obj), access)
    return obj


def _paginate(queryset: QuerySet, request: HttpRequest, pagination, sort: str) -> dict:
    return CursorPagination(order_by=sort).paginate_queryset(queryset, pagination, request)


def _invalid(error: services.InvalidInput):
    from django.core.exceptions import ValidationError

    return ValidationError({f"body.{error.field}": [str(error)]})


# --- Notes, calls and meetings -----------------------------------------------------------

class ActivityIn(Input):
    body: str = Field("", max_length=services.BODY_MAX,
                      description="HTML (sanitized: p, br, strong, em, lists, links) or text.")
    pinned: bool = Field(False, description="Notes only.")
    outcome: Literal["connected", "left_voicemail", "no_answer", "busy", "wrong_number",
                     ""] = Field("", description="Calls only (required for calls).")
    direction: Literal["outbound", "inbound", ""] = ""
    duration_minutes: int | None = Field(None, ge=0, le=24 * 60)
    title: str = Field("", max_length=255, description="Meetings only (required).")
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    location: str = Field("", max_length=255)
    occurred_at: Moment | None = None
    contact_ids: list[Id] = Field(default_factory=list, max_length=100)
    company_ids: list[Id] = Field(default_factory=list, max_length=100)
    deal_ids: list[Id] = Field(default_factory=list, max_length=100)
    attendee_user_ids: list[Id] = Field(default_factory=list, max_length=100)
    attendee_contact_ids: list[Id] = Field(default_factory=list, max_length=100)


def _ids(obj, relation: str, key: str) -> list[int]:
    """Resolvers see the model, or the stored dict of a replayed `Idempotency-Key` answer."""
    if isinstance(obj, dict):
        return obj[key]
    return [related.pk for related in getattr(obj, relation).all()]


class ActivityOut(Schema):
    id: int
    kind: str
    body: str
    pinned: bool
    outcome: str
    direction: str
    duration_minutes: int | None
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    location: str
    occurred_at: datetime
    author_id: int | None
    contact_ids: list[int]
    company_ids: list[int]
    deal_ids: list[int]
    attendee_user_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contact_ids(activity) -> list[int]:
        return _ids(activity, "contacts", "contact_ids")

    @staticmethod
    def resolve_company_ids(activity) -> list[int]:
        return _ids(activity, "companies", "company_ids")

    @staticmethod
    def resolve_deal_ids(activity) -> list[int]:
        return _ids(activity, "deals", "deal_ids")

    @staticmethod
    def resolve_attendee_user_ids(activity) -> list[int]:
        return _ids(activity, "attendee_users", "attendee_user_ids")


class ActivityPage(Schema):
    results: list[ActivityOut]
    next: str | None


def _activities() -> QuerySet:
    """Live activities with their links' ids prefetched (a fixed number of queries a page)."""
    return Activity.objects.filter(deleted_at__isnull=True).prefetch_related(
        *(Prefetch(name, queryset=model.objects.only("id")) for name, model in queries.LINKED),
        Prefetch("attendee_users", queryset=_users().only("id")))


def _users() -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.all()


def _visible_ids(request: HttpRequest, model, ids: list[int], field: str, access: str) -> list:
    found = visible_to(request.user, model.objects.filter(pk__in=ids)).in_bulk()
    missing = [pk for pk in ids if pk not in found]
    if missing:
        from django.core.exceptions import ValidationError

        raise ValidationError({f"body.{field}": [
            _("No %(type)s with id %(id)s.") % {"type": model._meta.verbose_name,
                                                "id": missing[0]}]})
    if ids:
        require_scope(request, {model.capability_area}, access)
    return [found[pk] for pk in dict.fromkeys(ids)]


def _links(request: HttpRequest, payload: ActivityIn) -> Links:
    return Links(
        contacts=_visible_ids(request, Contact, payload.contact_ids, "contact_ids", "write"),
        companies=_visible_ids(request, Company, payload.company_ids, "company_ids", "write"),
        deals=_visible_ids(request, Deal, payload.deal_ids, "deal_ids", "write"))


def _activity_input(request: HttpRequest, payload: ActivityIn) -> ActivityInput:
    users = list(queries.mentionable_users().filter(pk__in=payload.attendee_user_ids))
    return ActivityInput(
        body=payload.body, pinned=payload.pinned, outcome=payload.outcome,
        direction=payload.direction, duration_minutes=payload.duration_minutes,
        title=payload.title, starts_at=payload.starts_at, ends_at=payload.ends_at,
        location=payload.location, occurred_at=payload.occurred_at, attendee_users=users,
        attendee_contacts=_visible_ids(request, Contact, payload.attendee_contact_ids,
                                       "attendee_contact_ids", "write"))


def _get_activity(request: HttpRequest, kind: str, pk: int, access: str) -> Activity:
    activity = _activities().filter(kind=kind, pk=pk).first()
    if activity is None or not queries.activity_visible(request.user, activity):
        raise not_found(kind, pk)
    require_scope(request, scope_areas(activity), access)
    return activity


def _require_author(request: HttpRequest, obj, author_field: str = "author_id") -> None:
    if getattr(obj, author_field) != request.user.pk and not is_admin(request.user):
        raise Forbidden(_("Only its author or an administrator may change it."))


class RecordFilter(Schema):
    contact: Id | None = None
    company: Id | None = None
    deal: Id | None = None


def _create_activity(request: HttpRequest, kind: str, payload: ActivityIn) -> tuple[int, dict]:
    links = _links(request, payload)
    records = links.contacts + links.companies + links.deals
    if any(not TARGET_TYPES[r._meta.model_name].can_add(request.user, r) for r in records):
        raise Forbidden(_("You may not log work on one of these records."))
    try:
        activity = services.log_activity(actor=request.user, kind=kind, links=links,
                                         values=_activity_input(request, payload))
    except services.InvalidInput as error:
        raise _invalid(error) from None
    return 201, ActivityOut.from_orm(_activities().get(pk=activity.pk)).model_dump(mode="json")


def build_activity_router(kind: str) -> Router:
    """List (per record), create, read, update and delete for one kind of activity."""
    router = Router(tags=["activities"], auth=APIKeyAuth())
    plural = {"note": "notes", "call": "calls", "meeting": "meetings"}[kind]

    @router.get("", response=ActivityPage, url_name=f"list_{plural}",
                operation_id=f"list_{plural}", summary=f"List a record's {plural}")
    def list_activities(request, record: Query[RecordFilter],
                        pagination: Query[CursorPagination.Input]):
        chosen = [(name, pk) for name, pk in record.model_dump().items() if pk]
        if len(chosen) != 1:
            from django.core.exceptions import ValidationError

            raise ValidationError({"query.contact": [
                _("Name one record: contact, company or deal.")]})
        name, pk = chosen[0]
        target = visible_target(request, name, pk, "read")
        activities = _activities().filter(kind=kind, **{queries.RELATION[name]: target})
        return _paginate(activities, request, pagination, "-occurred_at")

    @router.post("", response={201: ActivityOut}, url_name=f"create_{kind}",
                 operation_id=f"create_{kind}", summary=f"Log a {kind}")
    def create(request, payload: ActivityIn):
        return Status(*run_once(request, lambda: _create_activity(request, kind, payload)))

    @router.get("/{int:activity_id}", response=ActivityOut, url_name=f"get_{kind}",
                operation_id=f"get_{kind}", summary=f"Get a {kind}")
    def read_one(request, activity_id: Id):
        return _get_activity(request, kind, activity_id, "read")

    @router.patch("/{int:activity_id}", response=ActivityOut, url_name=f"update_{kind}",
                  operation_id=f"update_{kind}", summary=f"Update a {kind}")
    def update(request, activity_id: Id, payload: ActivityIn):
        activity = _get_activity(request, kind, activity_id, "write")
        _require_author(request, activity)
        current = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
        changes = payload.model_dump(exclude_unset=True, include=set(services.ACTIVITY_FIELDS))
        users = (_activity_input(request, payload).attendee_users
                 if "attendee_user_ids" in payload.model_fields_set
                 else list(activity.attendee_users.all()))
        try:
            services.edit_activity(activity, actor=request.user, values=ActivityInput(
                **{**current, **changes}, attendee_users=users))
        except services.InvalidInput as error:
            raise _invalid(error) from None
        return _activities().get(pk=activity.pk)

    @router.delete("/{int:activity_id}", response={204: None}, url_name=f"delete_{kind}",
                   operation_id=f"delete_{kind}", summary=f"Delete a {kind}")
    def delete(request, activity_id: Id):
        activity = _get_activity(request, kind, activity_id, "write")
        _require_author(request, activity)
        services.delete_activity(activity, actor=request.user)
        return Status(204, None)

    return router


# --- Comments ---------------------------------------------------------------------------------

class CommentIn(Input):
    target_type: str = Field(..., description="contact, company, deal, task, activity or "
                                              "comment")
    target_id: Id
    body: str = Field(..., max_length=services.COMMENT_MAX,
                      description="Plain text; mention with `@[Name](user:ID)`.")
    parent_id: Id | None = Field(None, description="The comment this replies to.")


class CommentEdit(Input):
    body: str = Field(..., max_length=services.COMMENT_MAX)


class CommentOut(Schema):
    id: int
    target_type: str
    target_id: int
    parent_id: int | None
    author_id: int | None
    body: str
    created_at: datetime
    edited_at: datetime | None
    revision_count: int = 0
    mentioned_user_ids: list[int]

    @staticmethod
    def resolve_target_type(comment) -> str:
        return comment["target_type"] if isinstance(comment, dict) else comment.target_type.model

    @staticmethod
    def resolve_mentioned_user_ids(comment) -> list[int]:
        from clarion.collab.mentions import mentioned_ids

        if isinstance(comment, dict):
            return comment["mentioned_user_ids"]
        return mentioned_ids(comment.body)


class CommentPage(Schema):
    results: list[CommentOut]
    next: str | None


class RevisionOut(Schema):
    body: str
    edited_by_id: int | None
    edited_at: datetime


class TargetQuery(Schema):
    target_type: str
    target_id: Id


comments_router = Router(tags=["comments"], auth=APIKeyAuth())


def _get_comment(request: HttpRequest, pk: int, access: str) -> Comment:
    comment = queries.comments_on_any().filter(pk=pk).first()
    if comment is None or not TARGET_TYPES["comment"].can_view(request.user, comment):
        raise not_found("comment", pk)
    require_scope(request, scope_areas(comment), access)
    return comment


@comments_router.get("", response=CommentPage, url_name="list_comments",
                     operation_id="list_comments", summary="List the comments on something")
def list_comments(request, target: Query[TargetQuery],
                  pagination: Query[CursorPagination.Input]):
    obj = visible_target(request, target.target_type, target.target_id, "read")
    return _paginate(queries.comments_on(obj).select_related("target_type"), request,
                     pagination, "created_at")


@comments_router.post("", response={201: CommentOut}, url_name="create_comment",
                      operation_id="create_comment", summary="Comment (or reply)")
def create_comment(request, payload: CommentIn):
    return Status(*run_once(request, lambda: _create_comment(request, payload)))


def _create_comment(request: HttpRequest, payload: CommentIn) -> tuple[int, dict]:
    target = visible_target(request, payload.target_type, payload.target_id, "write")
    if not target_type_of(target).can_comment(request.user, target):
        raise Forbidden(_("You may not comment here."))
    parent = None
    if payload.parent_id:
        parent = Comment.objects.filter(pk=payload.parent_id).first()
        if parent is None:
            raise _invalid(services.InvalidInput("parent_id", _("No such comment.")))
    try:
        comment = services.add_comment(actor=request.user, target=target, body=payload.body,
                                       parent=parent)
    except services.InvalidInput as error:
        raise _invalid(error) from None
    created = queries.comments_on_any().get(pk=comment.pk)
    return 201, CommentOut.from_orm(created).model_dump(mode="json")


@comments_router.get("/{int:comment_id}", response=CommentOut, url_name="get_comment",
                     operation_id="get_comment", summary="Get a comment")
def get_comment(request, comment_id: Id):
    return _get_comment(request, comment_id, "read")


@comments_router.patch("/{int:comment_id}", response=CommentOut, url_name="update_comment",
                       operation_id="update_comment", summary="Edit a comment")
def update_comment(request, comment_id: Id, payload: CommentEdit):
    comment = _get_comment(request, comment_id, "write")
    _require_author(request, comment)
    try:
        services.edit_comment(comment, actor=request.user, body=payload.body)
    except services.InvalidInput as error:
        raise _invalid(error) from None
    return queries.comments_on_any().get(pk=comment.pk)


@comments_router.delete("/{int:comment_id}", response={204: None},
                        url_name="delete_comment", operation_id="delete_comment",
                        summary="Delete a comment")
def delete_comment(request, comment_id: Id):
    comment = _get_comment(request, comment_id, "write")
    _require_author(request, comment)
    services.delete_comment(comment, actor=request.user)
    return Status(204, None)


@comments_router.get("/{int:comment_id}/revisions", response=list[RevisionOut],
                     url_name="comment_revisions", operation_id="comment_revisions",
                     summary="A comment's earlier versions, newest first")
def comment_revisions(request, comment_id: Id):
    return list(_get_comment(request, comment_id, "read").revisions.all())


# --- Attachments --------------------------------------------------------------------------

class AttachmentOut(Schema):
    id: int
    target_type: str
    target_id: int
    kind: str
    name: str
    url: str
    size: int
    content_type: str
    uploaded_by_id: int | None
    created_at: datetime
    download_url: str | None

    @staticmethod
    def resolve_target_type(attachment) -> str:
        return attachment.target_type.model

    @staticmethod
    def resolve_download_url(attachment) -> str | None:
        from django.urls import reverse

        if attachment.kind != "file":
            return None
        return reverse("api:download_attachment", args=[attachment.pk])


class AttachmentPage(Schema):
    results: list[AttachmentOut]
    next: str | None


class LinkIn(Input):
    target_type: str
    target_id: Id
    url: str = Field(..., max_length=2000, description="An http:// or https:// address; "
                                                       "never fetched.")
    title: str = Field("", max_length=255)


class TooLarge(APIError):
    status, code = 413, "too_large"


class UploadAuth(APIKeyAuth):
    """The key check, plus the upload size limit installed before the body is read (an
    oversized file is never written anywhere)."""

    def __call__(self, request: HttpRequest):
        if request.method == "POST":
            if declared_too_large(request):
                raise TooLarge(too_large_message())
            uploads.limit_upload_size(request)
        return super().__call__(request)


attachments_router = Router(tags=["attachments"], auth=APIKeyAuth())
# Optional so an upload the size limit stopped reaches the endpoint and answers 413.
OPTIONAL_FILE = File(None)


def _get_attachment(request: HttpRequest, pk: int, access: str) -> Attachment:
    attachment = Attachment.objects.select_related("target_type").filter(pk=pk).first()
    target = attachment.target if attachment else None
    if target is None or not target_type_of(target).can_view(request.user, target):
        raise not_found("attachment", pk)
    require_scope(request, scope_areas(target), access)
    return attachment


def _may_add(request: HttpRequest, target) -> None:
    if not target_type_of(target).can_add(request.user, target):
        raise Forbidden(_("You may not attach files here."))


@attachments_router.get("", response=AttachmentPage, url_name="list_attachments",
                        operation_id="list_attachments",
                        summary="List the files and links on something")
def list_attachments(request, target: Query[TargetQuery],
                     pagination: Query[CursorPagination.Input]):
    obj = visible_target(request, target.target_type, target.target_id, "read")
    return _paginate(queries.attachments_on(obj).select_related("target_type"), request,
                     pagination, "-created_at")


@attachments_router.post("", response={201: AttachmentOut}, url_name="upload_attachment",
                         operation_id="upload_attachment", auth=UploadAuth(),
                         summary="Upload a file (multipart/form-data)")
def upload_attachment(request, target_type: Form[str], target_id: Form[Id],
                      file: UploadedFile | None = OPTIONAL_FILE):
    if getattr(request, "upload_too_large", False):
        raise TooLarge(too_large_message())
    target = visible_target(request, target_type, target_id, "write")
    _may_add(request, target)
    if file is None:
        raise _invalid(services.InvalidInput("file", _("Choose a file to upload.")))
    try:
        attachment = services.attach_file(actor=request.user, target=target, uploaded=file)
    except uploads.UploadRefused as error:
        raise _invalid(services.InvalidInput("file", str(error))) from None
    return Status(201, Attachment.objects.select_related("target_type").get(pk=attachment.pk))


@attachments_router.post("/links", response={201: AttachmentOut}, url_name="attach_link",
                         operation_id="attach_link", summary="Attach a link")
def attach_link(request, payload: LinkIn):
    target = visible_target(request, payload.target_type, payload.target_id, "write")
    _may_add(request, target)
    try:
        attachment = services.attach_link(actor=request.user, target=target, url=payload.url,
                                          title=payload.title)
    except services.InvalidInput as error:
        raise _invalid(error) from None
    return Status(201, Attachment.objects.select_related("target_type").get(pk=attachment.pk))


@attachments_router.get("/{int:attachment_id}", response=AttachmentOut,
                        url_name="get_attachment", operation_id="get_attachment",
                        summary="Get an attachment")
def get_attachment(request, attachment_id: Id):
    return _get_attachment(request, attachment_id, "read")


@attachments_router.get("/{int:attachment_id}/download", url_name="download_attachment",
                        operation_id="download_attachment", summary="Download a file",
                        response={200: None})
def download_attachment(request, attachment_id: Id):
    attachment = _get_attachment(request, attachment_id, "read")
    if attachment.kind != "file":
        raise not_found("file", attachment_id)
    return file_response(attachment)


@attachments_router.delete("/{int:attachment_id}", response={204: None},
                           url_name="delete_attachment", operation_id="delete_attachment",
                           summary="Remove an attachment")
def delete_attachment(request, attachment_id: Id):
    attachment = _get_attachment(request, attachment_id, "write")
    _require_author(request, attachment, "uploaded_by_id")
    services.delete_attachment(attachment, actor=request.user)
    return Status(204, None)


routers = [*((f"/{plural}", build_activity_router(kind)) for kind, plural in
             ((ActivityKind.NOTE, "notes"), (ActivityKind.CALL, "calls"),
              (ActivityKind.MEETING, "meetings"))),
           ("/comments", comments_router), ("/attachments", attachments_router)]
