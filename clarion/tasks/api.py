"""The tasks REST API: list (filters, cursor pages), create, read, update (with `If-Match`),
complete, reopen, snooze, claim and delete.

Every endpoint reads through `queries.tasks_visible_to`: a task the key's user may not see
answers 404. Writes go through `clarion.tasks.services`, like the pages.
"""

from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination
from clarion.api.preconditions import expected_version
from clarion.core.permissions import visible_to
from clarion.crm.api_schemas import Id, Input, Moment
from clarion.crm.models import Company, Contact, Deal
from clarion.tasks import queries, services
from clarion.tasks.forms import keep_hidden_links
from clarion.tasks.models import Priority, Reminder, Repeat, Task, TaskKind
from clarion.tasks.schedule import is_known_zone


class Conflict(APIError):
    status, code = 409, "conflict"


KindValue = Literal[*TaskKind.values]
PriorityValue = Literal[*Priority.values]
ReminderValue = Literal[*Reminder.values]
RepeatValue = Literal[*Repeat.values]
SORTS = ("created_at", "updated_at")
SortValue = Literal[*SORTS, *(f"-{name}" for name in SORTS)]


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    kind: str = Field(description="todo, call, email or follow_up")
    priority: str
    status: Literal["open", "completed"]
    assignee_id: int | None
    queue_id: int | None
    due_at: datetime | None
    time_zone: str
    reminder: str = Field(description='Minutes before the due moment ("" for none)')
    repeat: str
    repeat_interval: int
    completed_at: datetime | None
    previous_id: int | None = Field(description="The occurrence this one follows")
    contact_ids: list[int]
    company_ids: list[int]
    deal_ids: list[int]
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int

    # A dict is an answer replayed for an Idempotency-Key (or a create's own answer).
    @staticmethod
    def resolve_status(task) -> str:
        if isinstance(task, dict):
            return task["status"]
        return "open" if task.is_open else "completed"

    @staticmethod
    def resolve_contact_ids(task) -> list[int]:
        return _ids(task, "contacts", "contact_ids")

    @staticmethod
    def resolve_company_ids(task) -> list[int]:
        return _ids(task, "companies", "company_ids")

    @staticmethod
    def resolve_deal_ids(task) -> list[int]:
        return _ids(task, "deals", "deal_ids")


def _ids(task, relation: str, key: str) -> list[int]:
    if isinstance(task, dict):
        return task[key]
    return [record.pk for record in getattr(task, relation).all()]


class TaskIn(Input):
    title: str | None = Field(None, max_length=255)
    notes: str | None = None
    kind: KindValue | None = None
    priority: PriorityValue | None = None
    assignee_id: Id | None = Field(None, description="Default: the key's user (on create)")
    queue_id: Id | None = None
    due_at: Moment | None = Field(None, description="ISO 8601 with an offset")
    time_zone: str | None = Field(None, description="IANA name, e.g. Europe/Berlin; it keeps "
                                                    "a repeating task at its local time")
    reminder: ReminderValue | None = None
    repeat: RepeatValue | None = None
    repeat_interval: int | None = Field(None, ge=1, le=365)
    contact_ids: list[Id] | None = None
    company_ids: list[Id] | None = None
    deal_ids: list[Id] | None = None


class SnoozeIn(Input):
    until: Moment


class TaskPage(Schema):
    results: list[TaskOut]
    next: str | None


class TaskQuery(Input):
    assignee: str | None = Field(None, description='"me" or a user id')
    status: Literal["open", "completed", "all"] = "open"
    due_before: Moment | None = None
    due_after: Moment | None = None
    contact: Id | None = None
    company: Id | None = None
    deal: Id | None = None
    queue: Id | None = None
    sort: SortValue = "-created_at"


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({f"body.{field}": [message]})


def task_queryset(user) -> QuerySet:
    only_id = {"contacts": Contact, "companies": Company, "deals": Deal}
    return queries.tasks_visible_to(user).prefetch_related(
        *(Prefetch(name, queryset=model.objects.only("id")) for name, model in only_id.items()))


def get_task(user, pk: int) -> Task:
    task = task_queryset(user).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("No task with id %(id)s.") % {"id": pk})
    return task


def _filtered(queryset: QuerySet, query: TaskQuery, user) -> QuerySet:
    if query.assignee == "me":
        queryset = queryset.filter(assignee_id=user.pk)
    elif query.assignee:
        if not query.assignee.isdigit():
            raise NinjaValidationError([{"loc": ["query", "assignee"], "type": "value_error",
                                         "msg": 'Use "me" or a user id.'}])
        queryset = queryset.filter(assignee_id=int(query.assignee))
    if query.status != "all":
        queryset = queryset.filter(completed_at__isnull=query.status == "open")
    lookups = {"due_before": "due_at__lt", "due_after": "due_at__gte",
               "contact": "contacts", "company": "companies", "deal": "deals",
               "queue": "queue_id"}
    for name, lookup in lookups.items():
        value = getattr(query, name)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    return queryset


def _linked(user, model, ids: list[int], field: str) -> list:
    found = visible_to(user, model.objects.filter(pk__in=ids)).in_bulk()
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise _invalid(field, _("No %(type)s with id %(id)s.")
                       % {"type": model._meta.verbose_name, "id": missing[0]})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _values(user, payload: TaskIn) -> dict:
    """The services' keyword arguments from an API body (only the fields it sends)."""
    data = payload.model_dump(exclude_unset=True)
    values = {}
    for field, value in data.items():
        if field == "assignee_id":
            values["assignee"] = _assignee(value)
        elif field == "queue_id":
            values["queue"] = _queue(user, value)
        elif field in ("contact_ids", "company_ids", "deal_ids"):
            relation, model = {"contact_ids": ("contacts", Contact),
                               "company_ids": ("companies", Company),
                               "deal_ids": ("deals", Deal)}[field]
            values[relation] = _linked(user, model, value or [], field)
        elif field == "time_zone":
            if value is not None and not is_known_zone(value):
                raise _invalid("time_zone", _("Unknown time zone “%(zone)s”.") % {"zone": value})
            values["time_zone"] = value or "UTC"
        elif value is not None or field in ("due_at",):
            values[field] = value
    return values


def _assignee(pk: int | None):
    if pk is None:
        return None
    assignee = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if assignee is None:
        raise _invalid("assignee_id", _("No active user with id %(id)s.") % {"id": pk})
    return assignee


def _queue(user, pk: int | None):
    if pk is None:
        return None
    queue = queries.queues_of(user).filter(pk=pk).first()
    if queue is None:
        raise _invalid("queue_id", _("No queue with id %(id)s.") % {"id": pk})
    return queue


def _service_error(error: services.TaskError) -> Exception:
    if isinstance(error, services.StaleTask | services.AlreadyClaimed):
        return Conflict(str(error))
    return _invalid(error.field or "title", str(error))


def _out(user, task: Task, response: HttpResponse | None = None) -> Task:
    task = get_task(user, task.pk)
    if response is not None:
        response["ETag"] = f'"{task.version}"'
    return task


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


router = Router(tags=["tasks"], auth=scope_required("tasks:read"))
WRITE = scope_required("tasks:write")


@router.get("", response=TaskPage, **_named("list_tasks"), summary="List tasks")
def list_tasks(request, query: Query[TaskQuery], pagination: Query[CursorPagination.Input]):
    tasks = _filtered(task_queryset(request.user), query, request.user)
    return CursorPagination(order_by=query.sort).paginate_queryset(
        tasks, CursorPagination.Input(limit=pagination.limit, cursor=pagination.cursor),
        request)


def _create(request, payload: TaskIn) -> tuple[int, dict]:
    values = _values(request.user, payload)
    if not values.get("title"):
        raise _invalid("title", _("This field is required."))
    try:
        task = services.create_task(actor=request.user, **values)
    except services.TaskError as error:
        raise _service_error(error) from None
    return 201, TaskOut.from_orm(get_task(request.user, task.pk)).model_dump(mode="json")


@router.post("", response={201: TaskOut}, auth=WRITE, **_named("create_task"),
             summary="Create a task")
def create(request, payload: TaskIn):
    return Status(*run_once(request, lambda: _create(request, payload)))


@router.get("/{int:task_id}", response=TaskOut, **_named("get_task"), summary="Get a task")
def read_one(request, task_id: Id, response: HttpResponse):
    return _out(request.user, get_task(request.user, task_id), response)


@router.patch("/{int:task_id}", response=TaskOut, auth=WRITE, **_named("update_task"),
              summary="Update a task")
def update(request, task_id: Id, payload: TaskIn, response: HttpResponse):
    task = get_task(request.user, task_id)
    version = expected_version(request)
    try:
        values = keep_hidden_links(request.user, task, _values(request.user, payload))
        task = services.update_task(task, actor=request.user, values=values,
                                    expected_version=version)
    except services.TaskError as error:
        raise _service_error(error) from None
    return _out(request.user, task, response)


@router.post("/{int:task_id}/complete", response=TaskOut, auth=WRITE,
             **_named("complete_task"),
             summary="Complete a task (a repeating one gets its next occurrence)")
def complete(request, task_id: Id, response: HttpResponse):
    task = get_task(request.user, task_id)
    services.complete_task(task, actor=request.user)
    return _out(request.user, task, response)


@router.post("/{int:task_id}/reopen", response=TaskOut, auth=WRITE, **_named("reopen_task"),
             summary="Reopen a completed task")
def reopen(request, task_id: Id, response: HttpResponse):
    task = services.reopen_task(get_task(request.user, task_id), actor=request.user)
    return _out(request.user, task, response)


@router.post("/{int:task_id}/snooze", response=TaskOut, auth=WRITE, **_named("snooze_task"),
             summary="Move a task's due moment")
def snooze(request, task_id: Id, body: SnoozeIn, response: HttpResponse):
    try:
        task = services.snooze_task(get_task(request.user, task_id), actor=request.user,
                                    until=body.until)
    except services.TaskError as error:
        raise _invalid("until", str(error)) from None
    return _out(request.user, task, response)


@router.post("/{int:task_id}/claim", response=TaskOut, auth=WRITE, **_named("claim_task"),
             summary="Take an unassigned task from a queue")
def claim(request, task_id: Id, response: HttpResponse):
    try:
        task = services.claim_task(get_task(request.user, task_id), actor=request.user)
    except services.TaskError as error:
        raise _service_error(error) from None
    return _out(request.user, task, response)


@router.delete("/{int:task_id}", response={204: None}, auth=WRITE, **_named("delete_task"),
               summary="Delete a task")
def delete(request, task_id: Id):
    task = get_task(request.user, task_id)
    if not queries.can_delete(request.user, task):
        raise Forbidden(_("Only the task's creator or assignee may delete it."))
    services.delete_task(task, actor=request.user)
    return Status(204, None)


prefix = "/tasks"
