"""The CRM's REST API: contacts, companies and deals (one generic set of endpoints driven by
a `Resource` per type), their timelines and merges, pipelines and property definitions.

Every endpoint checks the key's scope, then the user's record visibility: a record the user
may not see answers 404, one they may see but not change answers 403. Writes go through
`clarion.crm.services`, like the web pages.
"""

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import create_model

from clarion.accounts.models import User
from clarion.api.auth import scope_required
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination, decode_cursor, encode_cursor
from clarion.api.preconditions import expected_version
from clarion.core.filters import InvalidFilter, filter_queryset
from clarion.core.permissions import can, visible_to
from clarion.core.properties.models import PropertyDefinition
from clarion.core.properties.validation import clean_property_values
from clarion.crm import api_schemas as schemas
from clarion.crm import merge
from clarion.crm.api_settings import pipelines_router, properties_router
from clarion.crm.models import Company, Contact, Deal, Pipeline, Stage
from clarion.crm.services import (
    LifecycleMovesBackward,
    StaleRecord,
    create_record,
    delete_record,
    update_record,
)
from clarion.crm.timeline import timeline_page


class Conflict(APIError):
    status, code = 409, "conflict"


@dataclass(frozen=True)
class Resource:
    name: str                       # "contact": event kinds, property definitions
    model: type[Model]
    area: str                       # "contacts": scopes and capabilities
    schema_in: type[Schema]
    schema_out: type[Schema]
    sorts: tuple[str, ...]          # non-null columns a list may be sorted by
    filters: dict[str, tuple[type, str]]  # query parameter -> (type, ORM lookup)
    required: tuple[str, ...] = ()  # fields a create must send
    select_related: tuple[str, ...] = ()
    mergeable: bool = False

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def queryset(self) -> QuerySet:
        queryset = self.model.objects.all()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.model is Deal:
            queryset = queryset.prefetch_related(
                Prefetch("contacts", queryset=Contact.objects.only("id")))
        return queryset


_COMMON_FILTERS = {"owner": (schemas.Id, "owner_id"),
                   "updated_after": (schemas.Moment, "updated_at__gt")}

CONTACTS = Resource(
    "contact", Contact, "contacts", schemas.ContactIn, schemas.ContactOut,
    sorts=("created_at", "updated_at", "email", "last_name"),
    filters={**_COMMON_FILTERS, "email": (str, "email__iexact"),
             "company": (schemas.Id, "company_id"),
             "lifecycle_stage": (schemas.LifecycleValue, "lifecycle_stage")},
    mergeable=True)
COMPANIES = Resource(
    "company", Company, "companies", schemas.CompanyIn, schemas.CompanyOut,
    sorts=("created_at", "updated_at", "name"),
    filters={**_COMMON_FILTERS, "domain": (str, "domain__iexact"),
             "lifecycle_stage": (schemas.LifecycleValue, "lifecycle_stage")},
    required=("name",), mergeable=True)
DEALS = Resource(
    "deal", Deal, "deals", schemas.DealIn, schemas.DealOut,
    sorts=("created_at", "updated_at", "name"),
    filters={**_COMMON_FILTERS, "pipeline": (schemas.Id, "pipeline_id"),
             "stage": (schemas.Id, "stage_id"), "company": (schemas.Id, "company_id"),
             "contact": (schemas.Id, "contacts")},
    required=("name",))


# --- Reading ----------------------------------------------------------------------------------

def get_visible(resource: Resource, user, pk: int) -> Model:
    """The record if the user may see it; 404 otherwise, whether or not it exists."""
    record = visible_to(user, resource.queryset()).filter(pk=pk).first()
    if record is None:
        raise NotFound(_("No %(type)s with id %(id)s.") % {"type": resource.label, "id": pk})
    return record


def get_for(resource: Resource, user, pk: int, action: str) -> Model:
    """The record if the user may `action` ("edit" or "delete") it: 404 when they can't see
    it, 403 when they can see it but not change it."""
    record = get_visible(resource, user, pk)
    if not can(user, action, record):
        message = (_("You may not delete this %(type)s.") if action == "delete"
                   else _("You may not edit this %(type)s."))
        raise Forbidden(message % {"type": resource.label})
    return record


def paginate(queryset: QuerySet, request: HttpRequest, *, sort: str, limit: int,
             cursor: str | None) -> dict:
    pagination = CursorPagination(order_by=sort)
    return pagination.paginate_queryset(
        queryset, CursorPagination.Input(limit=limit, cursor=cursor), request)


def _set_etag(response: HttpResponse, record: Model) -> None:
    response["ETag"] = f'"{record.version}"'


# --- Writing ----------------------------------------------------------------------------------

def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({f"body.{field}": [message]})


def _related(user, model: type[Model], pk: int, field: str) -> Model:
    """A record the new value points at; one the user can't see is as good as missing."""
    queryset = model.objects.all()
    if hasattr(model, "capability_area"):
        queryset = visible_to(user, queryset)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise _invalid(field, _("No %(type)s with id %(id)s.")
                       % {"type": model._meta.verbose_name, "id": pk})
    return found


def _owner(user, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise _invalid("owner_id", _("No active user with id %(id)s.") % {"id": owner_id})
    return owner


def _visible_contacts(user, ids: list[int]) -> list[Contact]:
    """The contacts behind `ids` (one query); an id the user can't see is an error."""
    found = visible_to(user, Contact.objects.filter(pk__in=ids)).in_bulk()
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise _invalid("contact_ids", _("No %(type)s with id %(id)s.")
                       % {"type": Contact._meta.verbose_name, "id": missing[0]})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _associations(user, data: dict) -> dict:
    """Turn `<name>_id(s)` fields into the objects the services expect."""
    values = {}
    related = {"company_id": ("company", Company), "pipeline_id": ("pipeline", Pipeline),
               "stage_id": ("stage", Stage)}
    for field, value in data.items():
        if field == "owner_id":
            values["owner"] = _owner(user, value)
        elif field in related:
            name, model = related[field]
            values[name] = _related(user, model, value, field) if value is not None else None
        elif field == "contact_ids":
            values["contacts"] = _visible_contacts(user, value or [])
        else:
            values[field] = value
    return values


def _check_deal_stage(values: dict, record: Deal | None) -> None:
    """A deal's stage belongs to its pipeline; a new deal defaults to the default pipeline's
    first stage."""
    pipeline = values.get("pipeline") or (record.pipeline if record else None)
    if pipeline is None:
        pipeline = Pipeline.objects.order_by("-is_default", "position", "id").first()
        if pipeline is None:
            raise _invalid("pipeline_id", _("Create a pipeline first."))
        values["pipeline"] = pipeline
    stage = values.get("stage") or (record.stage if record else None)
    if stage is None or (stage.pipeline_id != pipeline.pk and "stage" not in values):
        stage = pipeline.stages.order_by("position", "id").first()
        if stage is None:
            raise _invalid("pipeline_id", _("This pipeline has no stages."))
        values["stage"] = stage
    if stage.pipeline_id != pipeline.pk:
        raise _invalid("stage_id", _("This stage belongs to another pipeline."))


def _check_unique_email(values: dict, record: Contact | None) -> None:
    email = values.get("email")
    if not email:
        return
    others = Contact.objects.filter(email__iexact=email)
    if record is not None:
        others = others.exclude(pk=record.pk)
    if others.exists():
        raise _invalid("email", _("A contact with this email address already exists."))


def record_values(resource: Resource, user, payload: Schema, record: Model | None) -> dict:
    """The validated `values` for create_record / update_record from an API body."""
    data = payload.model_dump(exclude_unset=True)
    custom = data.pop("properties", {})
    values = _associations(user, data)
    for field in resource.required:
        if (record is None and field not in values) or values.get(field, "x") in ("", None):
            raise _invalid(field, _("This field is required."))
    if resource.model is Deal:
        _check_deal_stage(values, record)
    if resource.model is Contact:
        _check_unique_email(values, record)
    values.update(_custom_values(resource, custom, record))
    return values


def _custom_values(resource: Resource, custom: dict, record: Model | None) -> dict:
    """Custom property values cleaned by their definitions; errors name
    `body.properties.<name>`."""
    definitions = PropertyDefinition.objects.filter(object_type=resource.name)
    try:
        return clean_property_values(
            definitions, custom, unique_among=resource.model.objects.all(),
            exclude_pk=record.pk if record else None, partial=record is not None)
    except ValidationError as error:
        raise ValidationError({f"body.properties.{name}": messages
                               for name, messages in error.message_dict.items()}) from None


def _create(resource: Resource, request: HttpRequest, payload: Schema) -> tuple[int, dict]:
    user = request.user
    values = record_values(resource, user, payload, None)
    values.setdefault("owner", user)
    owner_id = values["owner"].pk if values["owner"] else None
    if not can(user, "edit", resource.model(owner_id=owner_id)):
        raise Forbidden(_("You may not create records owned by someone else."))
    try:
        record = create_record(resource.model, actor=user, values=values, source="api")
    except IntegrityError:
        raise Conflict(_("The record clashes with one saved at the same moment.")) from None
    record = resource.queryset().get(pk=record.pk)
    return 201, resource.schema_out.from_orm(record).model_dump(mode="json")


def _update(resource: Resource, request: HttpRequest, pk: int, payload: Schema,
            allow_lifecycle_backward: bool) -> Model:
    record = get_for(resource, request.user, pk, "edit")
    version = expected_version(request)
    values = record_values(resource, request.user, payload, record)
    try:
        update_record(record, actor=request.user, values=values, expected_version=version,
                      allow_lifecycle_backward=allow_lifecycle_backward)
    except StaleRecord as stale:
        raise Conflict(str(stale), [
            {"field": f"body.{name}", "type": "conflict",
             "message": _("Changed by someone else since version %(version)s.")
             % {"version": version}} for name in stale.changed_fields]) from None
    except LifecycleMovesBackward as error:
        raise _invalid("lifecycle_stage", str(error)) from None
    except IntegrityError:
        raise Conflict(_("The record clashes with one saved at the same moment.")) from None
    return resource.queryset().get(pk=pk)


# --- Endpoints ----------------------------------------------------------------------------------

def _query_schema(resource: Resource) -> type[Schema]:
    fields = {name: (kind | None, None) for name, (kind, _lookup) in resource.filters.items()}
    sorts = Literal[*resource.sorts, *(f"-{name}" for name in resource.sorts)]
    return create_model(f"{resource.model.__name__}ListQuery", __base__=schemas.Input,
                        sort=(sorts, "-created_at"), **fields)


def _apply_filters(resource: Resource, queryset: QuerySet, query: Schema) -> QuerySet:
    for name, (_kind, lookup) in resource.filters.items():
        value = getattr(query, name)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    return queryset


def _apply_filter_tree(queryset: QuerySet, tree: dict | None, user) -> QuerySet:
    """The queryset narrowed by a filter tree; a bad tree is a 422 naming the bad leaf."""
    try:
        return filter_queryset(queryset, tree, user=user)
    except InvalidFilter as error:
        field = f"body.{error.path}" if error.path else "body.filter"
        raise ValidationError({field: [error.message]}) from None


KIND_QUERY = Query(None, description="Only events of these kinds, e.g. `contact.created`.")


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


def build_router(resource: Resource) -> Router:
    """The list, search, create, read, update, delete and timeline endpoints of one type."""
    read, write = f"{resource.area}:read", f"{resource.area}:write"
    router = Router(tags=[resource.area], auth=scope_required(read))
    Out, In = resource.schema_out, resource.schema_in
    Page = create_model(f"{resource.model.__name__}Page", __base__=Schema,
                        results=(list[Out], ...), next=(str | None, None))
    ListQuery = _query_schema(resource)
    plural = resource.area

    @router.get("", response=Page, **_named(f"list_{plural}"), summary=f"List {plural}")
    def list_records(request, query: Query[ListQuery],
                     pagination: Query[CursorPagination.Input]):
        records = _apply_filters(resource, visible_to(request.user, resource.queryset()),
                                 query)
        return paginate(records, request, sort=query.sort, limit=pagination.limit,
                        cursor=pagination.cursor)

    @router.post("/search", response=Page, **_named(f"search_{plural}"),
                 summary=f"Search {plural} with a filter")
    def search_records(request, body: schemas.SearchIn):
        if body.sort and body.sort.removeprefix("-") not in resource.sorts:
            raise _invalid("sort", _("Sort by one of: %(fields)s.")
                           % {"fields": ", ".join(resource.sorts)})
        records = _apply_filter_tree(
            visible_to(request.user, resource.queryset()), body.filter, request.user)
        return paginate(records, request, sort=body.sort or "-created_at", limit=body.limit,
                        cursor=body.cursor)

    @router.post("", response={201: Out}, auth=scope_required(write),
                 **_named(f"create_{resource.name}"), summary=f"Create a {resource.name}")
    def create(request, payload: In):
        return Status(*run_once(request, lambda: _create(resource, request, payload)))

    @router.get("/{int:record_id}", response=Out, **_named(f"get_{resource.name}"),
                summary=f"Get a {resource.name}")
    def read_one(request, record_id: schemas.Id, response: HttpResponse):
        record = get_visible(resource, request.user, record_id)
        _set_etag(response, record)
        return record

    @router.patch("/{int:record_id}", response=Out, auth=scope_required(write),
                  **_named(f"update_{resource.name}"), summary=f"Update a {resource.name}")
    def update(request, record_id: schemas.Id, payload: In, response: HttpResponse,
               allow_lifecycle_backward: bool = False):
        record = _update(resource, request, record_id, payload, allow_lifecycle_backward)
        _set_etag(response, record)
        return record

    @router.delete("/{int:record_id}", response={204: None}, auth=scope_required(write),
                   **_named(f"delete_{resource.name}"), summary=f"Delete a {resource.name}")
    def delete(request, record_id: schemas.Id):
        delete_record(get_for(resource, request.user, record_id, "delete"),
                      actor=request.user)
        return Status(204, None)

    @router.get("/{int:record_id}/timeline", response=schemas.EventPage,
                **_named(f"{resource.name}_timeline"), summary="The record's timeline")
    def timeline(request, record_id: schemas.Id, pagination: Query[CursorPagination.Input],
                 kind: list[str] | None = KIND_QUERY):
        record = get_visible(resource, request.user, record_id)
        before = decode_cursor(pagination.cursor) if pagination.cursor else None
        events, older = timeline_page(record, viewer=request.user, kinds=kind,
                                      before=before, limit=pagination.limit)
        return {"results": events, "next": encode_cursor(*older) if older else None}

    if resource.mergeable:
        @router.post("/{int:record_id}/merge", response=Out, auth=scope_required(write),
                     **_named(f"merge_{resource.name}"),
                     summary=f"Merge another {resource.name} into this one")
        def merge_into(request, record_id: schemas.Id, body: schemas.MergeIn):
            survivor = get_for(resource, request.user, record_id, "edit")
            loser = get_for(resource, request.user, body.other_id, "delete")
            merged = merge.merge_records(survivor, loser, actor=request.user,
                                         choices=body.values)
            return resource.queryset().get(pk=merged.pk)

    return router


routers = [*((f"/{resource.area}", build_router(resource))
             for resource in (CONTACTS, COMPANIES, DEALS)),
           ("/pipelines", pipelines_router), ("/properties", properties_router)]
