"""Every write to tasks: create, edit, complete and reopen, snooze, reassign, claim, delete.

Each service changes the task and emits its event (`task.created`, `task.completed`, …) in
one transaction. A task's event is written once per linked record so it appears on the
timeline of every record the task concerns: with the contact's id for contacts, with the
company or deal as subject for those (timelines of companies and deals read by subject).
Exactly one of those copies carries `data["primary"] = True`; code that counts what
happened (an activity feed) reads only the primary ones.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.accounts.models import display_name
from clarion.core.events import NewEvent, emit_many
from clarion.tasks.models import Priority, Reminder, Repeat, Task, TaskKind, TaskQueue
from clarion.tasks.schedule import is_known_zone, next_due, zone_named

LINK_FIELDS = ("contacts", "companies", "deals")
EDITABLE = ("title", "notes", "kind", "priority", "assignee", "queue", "due_at", "time_zone",
            "reminder", "repeat", "repeat_interval")


class TaskError(ValueError):
    """A change that can't be made, with a message the user can act on."""

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class StaleTask(TaskError):
    """Someone saved the task since the version the edit started from."""


class AlreadyClaimed(TaskError):
    pass


# --- Events and notifications ----------------------------------------------------------------

def _event_data(task: Task, extra: dict | None = None) -> dict:
    return {"task_id": task.pk, "title": task.title, "task_kind": task.kind,
            "assignee_id": task.assignee_id,
            "due_at": task.due_at.isoformat() if task.due_at else None, **(extra or {})}


def _emit(kind: str, task: Task, *, actor, links: dict | None = None,
          extra: dict | None = None) -> None:
    """One event per linked record (the first one primary), or one about the task itself."""
    links = links if links is not None else linked_records(task)
    data = _event_data(task, extra)
    copies = ([NewEvent(kind, contact_id=contact.pk, subject=task, actor=actor)
               for contact in links["contacts"]]
              + [NewEvent(kind, subject=record, actor=actor)
                 for record in (*links["companies"], *links["deals"])])
    if not copies:
        copies = [NewEvent(kind, subject=task, actor=actor)]
    emit_many([NewEvent(copy.kind, contact_id=copy.contact_id, subject=copy.subject,
                        actor=copy.actor, data={**data, "primary": position == 0})
               for position, copy in enumerate(copies)])


def linked_records(task: Task) -> dict[str, list]:
    return {name: list(getattr(task, name).all()) for name in LINK_FIELDS}


def _notify_assigned(task: Task, *, actor) -> None:
    if task.assignee_id is None:
        return
    from clarion.notifications.services import notify

    who = display_name(actor)
    notify(task.assignee, "task.assigned", actor=actor, target=task,
           url=task.get_absolute_url(),
           title=lambda: _("%(actor)s assigned you the task “%(title)s”") % {
               "actor": who, "title": task.title})


# --- Validation ------------------------------------------------------------------------------

def _clean(values: dict) -> dict:
    """Check and normalise the fields a create or an edit sets."""
    cleaned = dict(values)
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise TaskError(_("Give the task a title."), "title")
        if len(cleaned["title"]) > 255:
            raise TaskError(_("A title has at most 255 characters."), "title")
    choices = {"kind": TaskKind, "priority": Priority, "reminder": Reminder, "repeat": Repeat}
    for field, enum in choices.items():
        if field in cleaned and cleaned[field] not in enum.values:
            raise TaskError(_("“%(value)s” is not a valid %(field)s.") % {
                "value": cleaned[field], "field": Task._meta.get_field(field).verbose_name},
                field)
    if "time_zone" in cleaned and not is_known_zone(cleaned["time_zone"] or ""):
        raise TaskError(_("Unknown time zone “%(zone)s”.") % {"zone": cleaned["time_zone"]},
                        "time_zone")
    if cleaned.get("due_at") is not None and timezone.is_naive(cleaned["due_at"]):
        raise TaskError(_("A due moment needs a time zone."), "due_at")
    if "repeat_interval" in cleaned:
        interval = cleaned["repeat_interval"] or 1
        if not 1 <= interval <= 365:
            raise TaskError(_("Repeat every 1 to 365 days."), "repeat_interval")
        cleaned["repeat_interval"] = interval
    return cleaned


def _check_placement(task: Task) -> None:
    if task.assignee_id is None and task.queue_id is None:
        raise TaskError(_("Assign the task to someone or put it in a queue."), "assignee")


def _refresh_reminder(task: Task) -> None:
    """A new due moment or reminder means the reminders may be sent again."""
    task.remind_at = task.reminder_moment()
    task.reminder_sent_at = None
    task.overdue_notified_at = None


# --- Writes ----------------------------------------------------------------------------------

@transaction.atomic
def create_task(*, actor, title: str, notes: str = "", kind: str = TaskKind.TODO,
                priority: str = Priority.NORMAL, assignee=None, queue: TaskQueue | None = None,
                due_at: datetime | None = None, time_zone: str = "UTC",
                reminder: str = Reminder.NONE, repeat: str = Repeat.NONE,
                repeat_interval: int = 1, contacts: Iterable = (), companies: Iterable = (),
                deals: Iterable = (), notify_assignee: bool = True) -> Task:
    """A new open task. Without an assignee or a queue it is the creator's own; in a queue
    without an assignee it waits for a team member to claim it."""
    values = _clean({"title": title, "notes": notes, "kind": kind, "priority": priority,
                     "due_at": due_at, "time_zone": time_zone, "reminder": reminder,
                     "repeat": repeat, "repeat_interval": repeat_interval})
    if assignee is None and queue is None:
        assignee = actor
    now = timezone.now()
    task = Task(**values, assignee=assignee, queue=queue, created_by=actor, created_at=now,
                updated_at=now)
    task.remind_at = task.reminder_moment()
    task.save()
    links = {"contacts": list(contacts), "companies": list(companies), "deals": list(deals)}
    for name, records in links.items():
        if records:
            getattr(task, name).set(records)
    _emit("task.created", task, actor=actor, links=links)
    if notify_assignee:
        _notify_assigned(task, actor=actor)
    return task


def _locked(task: Task) -> Task:
    """The task's current row, locked for this transaction (PostgreSQL)."""
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def update_task(task: Task, *, actor, values: dict,
                expected_version: int | None = None) -> Task:
    """Change any of the editable fields and the linked records (`contacts`, `companies`,
    `deals`: lists replacing the current ones)."""
    current = _locked(task)
    if expected_version is not None and current.version != expected_version:
        raise StaleTask(_("Someone changed this task since you opened it; reload and try "
                          "again."))
    links = {name: values.pop(name) for name in LINK_FIELDS if name in values}
    cleaned = _clean({name: value for name, value in values.items() if name in EDITABLE})
    changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
    old_assignee_id = current.assignee_id
    for name in changed:
        setattr(current, name, cleaned[name])
    if {"due_at", "reminder"} & set(changed):
        _refresh_reminder(current)
    _check_placement(current)
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    for name, records in links.items():
        getattr(current, name).set(records)
    edited = [name for name in changed if name != "assignee"] + list(links)
    if edited:
        _emit("task.updated", current, actor=actor, extra={"fields": edited})
    if current.assignee_id != old_assignee_id:
        _emit("task.reassigned", current, actor=actor,
              extra={"from_assignee_id": old_assignee_id})
        _notify_assigned(current, actor=actor)
    return current


@transaction.atomic
def complete_task(task: Task, *, actor) -> Task | None:
    """Mark the task done; a repeating task gets its next occurrence, created exactly once
    (completing twice, or concurrently, or reopening and completing again creates no
    second one). Returns the next occurrence, if one was created now."""
    now = timezone.now()
    done = Task.objects.filter(pk=task.pk, completed_at__isnull=True).update(
        completed_at=now, completed_by=actor, updated_at=now,
        version=task.version + 1)
    task.refresh_from_db()
    if not done:
        return None
    _emit("task.completed", task, actor=actor)
    if task.repeat:
        return _create_next_occurrence(task, actor=actor)
    return None


def _create_next_occurrence(task: Task, *, actor) -> Task | None:
    if Task.objects.filter(previous=task).exists():
        return None
    zone = zone_named(task.time_zone)
    links = linked_records(task)
    try:
        with transaction.atomic():
            now = timezone.now()
            following = Task(
                title=task.title, notes=task.notes, kind=task.kind, priority=task.priority,
                assignee=task.assignee, queue=task.queue, time_zone=task.time_zone,
                due_at=next_due(task.due_at, task.repeat, task.repeat_interval, zone),
                reminder=task.reminder, repeat=task.repeat,
                repeat_interval=task.repeat_interval, previous=task,
                created_by=task.created_by, created_at=now, updated_at=now)
            following.remind_at = following.reminder_moment()
            following.save()
    except IntegrityError:
        return None  # another completion created it a moment ago
    for name, records in links.items():
        if records:
            getattr(following, name).set(records)
    _emit("task.created", following, actor=actor, links=links,
          extra={"previous_id": task.pk})
    return following


@transaction.atomic
def reopen_task(task: Task, *, actor) -> Task:
    now = timezone.now()
    reopened = Task.objects.filter(pk=task.pk, completed_at__isnull=False).update(
        completed_at=None, completed_by=None, updated_at=now, version=task.version + 1)
    task.refresh_from_db()
    if reopened:
        _emit("task.reopened", task, actor=actor)
    return task


@transaction.atomic
def snooze_task(task: Task, *, actor, until: datetime) -> Task:
    """Move the due moment to `until`; its reminders will be sent again for the new one."""
    if timezone.is_naive(until):
        raise TaskError(_("A due moment needs a time zone."), "due_at")
    if until <= timezone.now():
        raise TaskError(_("Snooze to a moment in the future."), "due_at")
    current = _locked(task)
    previous_due = current.due_at
    current.due_at = until
    _refresh_reminder(current)
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    _emit("task.snoozed", current, actor=actor,
          extra={"from_due_at": previous_due.isoformat() if previous_due else None})
    return current


def reassign_task(task: Task, *, actor, assignee) -> Task:
    """Give the task to someone else (None: back to its queue), who is notified."""
    return update_task(task, actor=actor, values={"assignee": assignee})


@transaction.atomic
def claim_task(task: Task, *, actor) -> Task:
    """Take an unassigned task from a queue; whoever claims it first gets it."""
    now = timezone.now()
    claimed = Task.objects.filter(pk=task.pk, assignee__isnull=True).update(
        assignee=actor, updated_at=now, version=task.version + 1)
    if not claimed:
        raise AlreadyClaimed(_("Someone else claimed this task first."))
    task.refresh_from_db()
    _emit("task.reassigned", task, actor=actor, extra={"from_assignee_id": None,
                                                       "claimed": True})
    return task


@transaction.atomic
def delete_task(task: Task, *, actor) -> None:
    links = linked_records(task)
    _emit("task.deleted", task, actor=actor, links=links)
    task.delete()


@transaction.atomic
def create_tasks_for_records(*, actor, records: Sequence, record_type: str, title: str,
                             assignee=None, **fields) -> list[Task]:
    """One task per record (for the record's owner unless `assignee` is given), linked to
    it; bulk inserts, one event per task, one notification per assignee."""
    relation = {"contact": "contacts", "company": "companies", "deal": "deals"}[record_type]
    values = _clean({"title": title, **fields})
    now = timezone.now()
    tasks = [Task(**values, assignee=assignee or record.owner or actor, created_by=actor,
                  created_at=now, updated_at=now) for record in records]
    for task in tasks:
        task.remind_at = task.reminder_moment()
    Task.objects.bulk_create(tasks)
    through = getattr(Task, relation).through
    record_field = {"contacts": "contact_id", "companies": "company_id",
                    "deals": "deal_id"}[relation]
    through.objects.bulk_create([through(task_id=task.pk, **{record_field: record.pk})
                                 for task, record in zip(tasks, records, strict=True)])
    events = []
    for task, record in zip(tasks, records, strict=True):
        data = {**_event_data(task), "primary": True}
        if record_type == "contact":
            events.append(NewEvent("task.created", contact_id=record.pk, subject=task,
                                   actor=actor, data=data))
        else:
            events.append(NewEvent("task.created", subject=record, actor=actor, data=data))
    emit_many(events)
    _notify_bulk_assignees(tasks, actor=actor, title=values["title"])
    return tasks


def _notify_bulk_assignees(tasks: list[Task], *, actor, title: str) -> None:
    from clarion.notifications.services import notify

    by_assignee: dict[int, list[Task]] = {}
    for task in tasks:
        by_assignee.setdefault(task.assignee_id, []).append(task)
    who = display_name(actor)
    for assigned in by_assignee.values():
        first = assigned[0]
        count = len(assigned)
        notify(first.assignee, "task.assigned", actor=actor, target=first,
               url=first.get_absolute_url() if count == 1 else _tasks_url(),
               title=lambda count=count: _task_count_title(who, title, count))


def _task_count_title(who: str, title: str, count: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(actor)s assigned you %(count)d task “%(title)s”",
                    "%(actor)s assigned you %(count)d tasks “%(title)s”", count) % {
        "actor": who, "title": title, "count": count}


def _tasks_url() -> str:
    from django.urls import reverse

    return reverse("tasks:list")


@transaction.atomic
def create_queue(*, actor, name: str, team) -> TaskQueue:
    """A team's queue of unassigned tasks."""
    name = (name or "").strip()
    if not name:
        raise TaskError(_("Give the queue a name."), "name")
    if TaskQueue.objects.filter(team=team, name__iexact=name).exists():
        raise TaskError(_("This team already has a queue with that name."), "name")
    queue = TaskQueue.objects.create(name=name[:120], team=team)
    emit_many([NewEvent("task.queue_created", subject=queue, actor=actor,
                        data={"name": queue.name, "team_id": team.pk})])
    return queue
