"""The tasks pages: the views (my tasks, today, …), a task's page, the new-task form (a page,
the shortcut's dialog, the record panel's quick add), the row actions (complete, reopen,
snooze, reassign, claim, delete; htmx swaps the row and the tab counts) and the bulk
"Create tasks" list action."""

import json
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clarion.accounts.models import Team
from clarion.core.filters import InvalidFilter
from clarion.core.permissions import capability_required, has_capability
from clarion.crm.lists import selected_records
from clarion.crm.objects import get_object_type
from clarion.tasks import queries, services
from clarion.tasks.forms import TaskForm, initial_from_task, initial_links, keep_hidden_links
from clarion.tasks.models import Priority, TaskKind
from clarion.tasks.schedule import local_moment, request_zone, snooze_target, zone_named

PAGE_LIMIT = 200
BULK_LIMIT = 1000  # tasks one "Create tasks" may make; more is a mistake, not a plan


def _zone_name(request: HttpRequest) -> str:
    return str(request_zone(request))


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    context.setdefault("current_section", "tasks")
    with timezone.override(request_zone(request)):
        return render(request, template, context, status=status)


def _visible_task(request: HttpRequest, pk: int):
    """The task if the user may see it; 404 otherwise, so ids don't reveal existence."""
    return get_object_or_404(queries.with_related(queries.tasks_visible_to(request.user)),
                             pk=pk)


# --- The views -------------------------------------------------------------------------------

@login_required
def task_list(request: HttpRequest, view: str = "mine") -> HttpResponse:
    views = queries.views_for(request.user)
    if view not in {v.slug for v in views}:
        raise PermissionDenied if view in queries.VIEWS_BY_SLUG else Http404
    zone = request_zone(request)
    kind, priority = request.GET.get("type", ""), request.GET.get("priority", "")
    sort = request.GET.get("sort", "due")
    tasks = list(queries.task_list(request.user, view, zone,
                                   kind=kind if kind in TaskKind.values else "",
                                   priority=priority if priority in Priority.values else "",
                                   sort=sort)[:PAGE_LIMIT + 1])
    return _render(request, "tasks/list.html", {
        "view": queries.VIEWS_BY_SLUG[view], "views": views, "tasks": tasks[:PAGE_LIMIT],
        "truncated": len(tasks) > PAGE_LIMIT, "counts": queries.view_counts(
            request.user, zone, views),
        "kinds": TaskKind.choices, "priorities": Priority.choices, "kind": kind,
        "priority": priority, "sort": sort, **_queue_context(request, view),
        **_row_context(request)})


def _queue_context(request: HttpRequest, view: str) -> dict:
    """On the Queues view: the queues, and the teams people who manage teams may add one to."""
    if view != "queues":
        return {}
    manages = has_capability(request.user, "users.manage")
    return {"queues": list(queries.queues_of(request.user)),
            "teams": list(Team.objects.all()) if manages else []}


@capability_required("users.manage")
@require_POST
def queue_create(request: HttpRequest) -> HttpResponse:
    team = Team.objects.filter(pk=_int(request.POST.get("team"))).first()
    if team is None:
        messages.error(request, _("Choose a team for the queue."))
    else:
        try:
            queue = services.create_queue(actor=request.user, name=request.POST.get("name", ""),
                                          team=team)
        except services.TaskError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Queue “%(name)s” created.") % {"name": queue.name})
    return redirect("tasks:view", view="queues")


def _row_context(request: HttpRequest) -> dict:
    """What every task row needs besides the task: the people it can be reassigned to."""
    return {"people": list(queries.assignable_users(request.user)), "today": timezone.now()}


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    return _render(request, "tasks/detail.html", {
        "task": task, "can_delete": queries.can_delete(request.user, task),
        **_row_context(request)})


# --- Create and edit -------------------------------------------------------------------------

@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    """The new-task form: a page, or (`?dialog=1`) the dialog the "t" shortcut opens; a
    record page's quick add posts here too. `link` values link records; `next` is where to
    go back to."""
    form = TaskForm(request.POST or None, user=request.user, zone_name=_zone_name(request),
                    initial=initial_links(request.user, request.GET.getlist("link")),
                    auto_id="task-%s")
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(actor=request.user, **form.values())
        except services.TaskError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
            return redirect(_next_url(request, task.get_absolute_url()))
    template = "tasks/dialog.html" if request.GET.get("dialog") else "tasks/form.html"
    return _render(request, template, {"form": form, "next": _next_url(request, ""),
                                       "editing": False}, status=400 if form.errors else 200)


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    zone_name = _zone_name(request)
    form = TaskForm(request.POST or None, user=request.user, zone_name=zone_name,
                    initial=initial_from_task(task, zone_named(zone_name)), auto_id="task-%s")
    if request.method == "POST" and form.is_valid():
        try:
            values = keep_hidden_links(request.user, task, form.values())
            services.update_task(task, actor=request.user, values=values,
                                 expected_version=_int(request.POST.get("version")))
        except services.TaskError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_next_url(request, task.get_absolute_url()))
    return _render(request, "tasks/form.html", {"form": form, "task": task,
                                                "next": _next_url(request, ""),
                                                "editing": True},
                   status=400 if form.errors else 200)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


# --- Row actions -----------------------------------------------------------------------------

def _after_action(request: HttpRequest, task, *, message: str = "") -> HttpResponse:
    """htmx: the updated row plus the tab counts; otherwise back where the user was."""
    if request.htmx:
        zone = request_zone(request)
        views = queries.views_for(request.user)
        task = queries.with_related(queries.tasks_visible_to(request.user)).filter(
            pk=task.pk).first() if task is not None else None
        response = _render(request, "tasks/action_result.html", {
            "task": task, "views": views,
            "counts": queries.view_counts(request.user, zone, views),
            "view": queries.VIEWS_BY_SLUG.get(request.POST.get("view", ""), None),
            "next_url": _next_url(request, ""), **_row_context(request)})
        if message:
            response["HX-Trigger"] = _toast_trigger(message, "success")
        return response
    if message:
        messages.success(request, message)
    default = task.get_absolute_url() if task is not None else "/tasks/"
    return redirect(_next_url(request, default))


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    following = services.complete_task(task, actor=request.user)
    message = _("Task “%(title)s” completed.") % {"title": task.title}
    if following is not None and following.due_at:
        with timezone.override(request_zone(request)):
            message += " " + _("Next one due %(date)s.") % {
                "date": date_format(timezone.localtime(following.due_at), "DATE_FORMAT")}
    return _after_action(request, task, message=message)


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = services.reopen_task(_visible_task(request, pk), actor=request.user)
    return _after_action(request, task, message=_("Task “%(title)s” reopened.") % {
        "title": task.title})


@login_required
@require_POST
def task_snooze(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    zone = request_zone(request)
    until = _snooze_moment(request.POST, task, zone)
    if until is None:
        return _action_error(request, task, _("Choose a date to snooze to."))
    try:
        task = services.snooze_task(task, actor=request.user, until=until)
    except services.TaskError as error:
        return _action_error(request, task, str(error))
    with timezone.override(zone):
        when = date_format(timezone.localtime(until), "DATETIME_FORMAT")
    return _after_action(request, task, message=_("Snoozed until %(when)s.") % {"when": when})


def _snooze_moment(data, task, zone) -> datetime | None:
    choice = data.get("until", "")
    if choice in ("tomorrow", "next_week"):
        return snooze_target(choice, zone, due_at=task.due_at)
    day = parse_date(data.get("date", "") or "")
    if day is None:
        return None
    at = timezone.localtime(task.due_at, zone).time().replace(tzinfo=None) \
        if task.due_at else time(9, 0)
    return local_moment(day, at, zone)


def _action_error(request: HttpRequest, task, message: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = _toast_trigger(message, "error")
        return response
    messages.error(request, message)
    return redirect(_next_url(request, task.get_absolute_url()))


def _toast_trigger(message: str, level: str) -> str:
    return json.dumps({"toast": {"message": message, "level": level}})


@login_required
@require_POST
def task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    assignee_id = _int(request.POST.get("assignee"))
    assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first() \
        if assignee_id else None
    if assignee is None and task.queue_id is None:
        return _action_error(request, task, _("Choose who gets the task."))
    try:
        task = services.reassign_task(task, actor=request.user, assignee=assignee)
    except services.TaskError as error:
        return _action_error(request, task, str(error))
    who = str(assignee) if assignee else _("the queue")
    return _after_action(request, task, message=_("Task given to %(who)s.") % {"who": who})


@login_required
@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    try:
        task = services.claim_task(task, actor=request.user)
    except services.TaskError as error:
        return _action_error(request, task, str(error))
    return _after_action(request, task, message=_("The task is yours now."))


@login_required
@require_POST
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    if not queries.can_delete(request.user, task):
        raise PermissionDenied
    title = task.title
    services.delete_task(task, actor=request.user)
    message = _("Task “%(title)s” deleted.") % {"title": title}
    if request.htmx:
        return _after_action(request, None, message=message)
    messages.success(request, message)
    next_url = _next_url(request, "/tasks/")
    return redirect("/tasks/" if next_url.rstrip("/").endswith(f"/tasks/{pk}") else next_url)


# --- List action ----------------------------------------------------------------------------

@login_required
@require_POST
def create_for_records(request: HttpRequest) -> HttpResponse:
    """The "Create tasks" bulk action of contact, company and deal lists."""
    object_type = get_object_type(request.GET.get("type", ""))
    back = object_type.url("list")
    try:
        records = list(selected_records(request, object_type, "view").select_related(
            "owner")[:BULK_LIMIT + 1])
    except InvalidFilter as error:
        messages.error(request, str(error))
        return redirect(back)
    if len(records) > BULK_LIMIT:
        messages.error(request, _("Select at most %(limit)s records to create tasks for.")
                       % {"limit": f"{BULK_LIMIT:,}"})
        return redirect(back)
    title = request.POST.get("task_title", "").strip()
    if not records or not title:
        messages.error(request, _("Choose records and give the tasks a title."))
        return redirect(back)
    zone = zone_named(request.POST.get("time_zone") or _zone_name(request))
    day = parse_date(request.POST.get("task_due_date", "") or "")
    assign_to = request.POST.get("task_assignee", "owner")
    assignee = None if assign_to == "owner" else get_user_model().objects.filter(
        pk=_int(assign_to), is_active=True).first()
    try:
        tasks = services.create_tasks_for_records(
            actor=request.user, records=records, record_type=object_type.name, title=title,
            assignee=assignee, kind=request.POST.get("task_kind", "todo"),
            priority=request.POST.get("task_priority", "normal"),
            due_at=local_moment(day, None, zone) if day else None, time_zone=str(zone))
    except services.TaskError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, ngettext("%(count)d task created.", "%(count)d tasks created.",
                                       len(tasks)) % {"count": len(tasks)})
    return redirect(back)
