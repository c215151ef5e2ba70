"""Reading tasks: who may see which, the views (my tasks, today, overdue, …) and their counts.

`tasks_visible_to(user)` is the one place task visibility is decided; every page, panel,
API endpoint and count starts from it. Someone sees a task when they are its assignee or
creator, when it sits in a queue of one of their teams, when it is assigned to a teammate and
they hold `tasks.view_team`, or always with `tasks.view_all`. Other kinds of access (for
example guests invited to a task) are added here and nowhere else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clarion.core.permissions import has_capability
from clarion.crm.models import Company, Contact, Deal
from clarion.tasks.models import Task, TaskQueue

# Other apps may widen visibility (e.g. guests granted one task): each function takes the
# user and returns a Q over Task, OR-ed into the rule above.
EXTRA_VISIBILITY: list = []


def register_visibility(rule) -> None:
    """Add a rule `rule(user) -> Q | None` to `tasks_visible_to` (guest access and the like)."""
    if rule not in EXTRA_VISIBILITY:
        EXTRA_VISIBILITY.append(rule)


def team_ids(user):
    return get_user_model().teams.through.objects.filter(user_id=user.pk).values("team_id")


def teammate_ids(user):
    memberships = get_user_model().teams.through.objects
    return memberships.filter(team_id__in=team_ids(user)).values("user_id")


def visibility_condition(user) -> Q | None:
    """The condition on Task for what `user` may see; None means everything."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if has_capability(user, "tasks.view_all"):
        return None
    condition = (Q(assignee_id=user.pk) | Q(created_by_id=user.pk)
                 | Q(queue__team_id__in=team_ids(user)))
    if has_capability(user, "tasks.view_team"):
        condition |= Q(assignee_id__in=teammate_ids(user))
    for rule in EXTRA_VISIBILITY:
        extra = rule(user)
        if extra is not None:
            condition |= extra
    return condition


def tasks_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The tasks (of `queryset`, default all) the user may see and work on."""
    queryset = Task.objects.all() if queryset is None else queryset
    condition = visibility_condition(user)
    return queryset if condition is None else queryset.filter(condition)


def can_delete(user, task: Task) -> bool:
    """Deleting is for the task's creator, its assignee and people who see every task."""
    return (task.created_by_id == user.pk or task.assignee_id == user.pk
            or has_capability(user, "tasks.view_all"))


def queues_of(user) -> QuerySet:
    """The queues of the user's teams (every queue for people who see every task)."""
    queues = TaskQueue.objects.select_related("team")
    if has_capability(user, "tasks.view_all"):
        return queues
    return queues.filter(team_id__in=team_ids(user))


def assignable_users(user) -> QuerySet:
    """Everyone active may be given a task; the list is short enough for a select."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name",
                                                                     "email")


def with_related(queryset: QuerySet) -> QuerySet:
    """What a task row shows, in a fixed number of queries."""
    return queryset.select_related("assignee", "queue", "created_by").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name",
                                                           "email")),
        Prefetch("companies", queryset=Company.objects.only("id", "name")),
        Prefetch("deals", queryset=Deal.objects.only("id", "name")))


# --- Views ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskView:
    slug: str
    label: Promise
    capability: str = ""


VIEWS = (
    TaskView("mine", _("My tasks")),
    TaskView("today", _("Today")),
    TaskView("overdue", _("Overdue")),
    TaskView("upcoming", _("Upcoming")),
    TaskView("completed", _("Completed")),
    TaskView("team", _("Team"), "tasks.view_team"),
    TaskView("queues", _("Queues")),
)
VIEWS_BY_SLUG = {view.slug: view for view in VIEWS}


def views_for(user) -> list[TaskView]:
    return [view for view in VIEWS if not view.capability or has_capability(user, view.capability)]


def day_bounds(zone: ZoneInfo, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The start of today and of tomorrow in `zone`, as aware datetimes."""
    local = timezone.localtime(now or timezone.now(), zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = (start + timedelta(days=1)).date()
    end = datetime.combine(tomorrow, start.time(), tzinfo=zone)
    return start, end


def view_conditions(user, zone: ZoneInfo, now: datetime | None = None) -> dict[str, Q]:
    """The condition of each view, for the list and for the counts in the tabs."""
    now = now or timezone.now()
    start, end = day_bounds(zone, now)
    open_ = Q(completed_at__isnull=True)
    mine = open_ & Q(assignee_id=user.pk)
    return {
        "mine": mine,
        "today": mine & Q(due_at__gte=start, due_at__lt=end),
        "overdue": mine & Q(due_at__lt=now),
        "upcoming": mine & Q(due_at__gte=end),
        "completed": Q(completed_at__isnull=False, assignee_id=user.pk),
        "team": open_ & Q(assignee_id__in=teammate_ids(user)) & ~Q(assignee_id=user.pk),
        "queues": open_ & Q(assignee__isnull=True, queue__team_id__in=team_ids(user)),
    }


def view_counts(user, zone: ZoneInfo, views: list[TaskView]) -> dict[str, int]:
    """The count in each view's tab (except Completed, which only grows), in one query."""
    conditions = view_conditions(user, zone)
    aggregates = {view.slug: Count("pk", filter=conditions[view.slug])
                  for view in views if view.slug != "completed"}
    return tasks_visible_to(user).aggregate(**aggregates)


SORTS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "priority": ("priority_rank", "due_at", "id"),
    "created": ("-created_at", "-id"),
}


def task_list(user, view: str, zone: ZoneInfo, *, kind: str = "", priority: str = "",
              sort: str = "due") -> QuerySet:
    """The tasks of one view, filtered and sorted, ready to render."""
    tasks = tasks_visible_to(user).filter(view_conditions(user, zone)[view])
    if kind:
        tasks = tasks.filter(kind=kind)
    if priority:
        tasks = tasks.filter(priority=priority)
    if view == "completed":
        order = ("-completed_at", "-id")
    else:
        order = SORTS.get(sort, SORTS["due"])
        if sort == "priority":
            tasks = tasks.annotate(priority_rank=Case(
                When(priority="high", then=Value(0)), When(priority="normal", then=Value(1)),
                default=Value(2), output_field=IntegerField()))
    # Tasks without a due moment come after the dated ones.
    if order[0] == "due_at":
        return with_related(tasks.order_by(F("due_at").asc(nulls_last=True), "id"))
    return with_related(tasks.order_by(*order))


def open_tasks_for_record(user, record) -> QuerySet:
    """The open tasks linked to a contact, company or deal that the user may see."""
    relation = {"contact": "contacts", "company": "companies",
                "deal": "deals"}[record._meta.model_name]
    tasks = tasks_visible_to(user).filter(completed_at__isnull=True, **{relation: record})
    return tasks.select_related("assignee").order_by(F("due_at").asc(nulls_last=True), "id")
