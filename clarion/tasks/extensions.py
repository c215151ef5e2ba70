"""Where tasks plug into the CRM's pages: the record panel, the "Create tasks" list action
and the timeline sentences of task events."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clarion.accounts.models import display_name
from clarion.crm.extensions import (
    ListAction,
    RecordPanel,
    register_describer,
    register_list_action,
    register_record_panel,
)

PANEL_LIMIT = 10


def record_panel_context(request, object_type, record) -> dict:
    """The record's open tasks (those the viewer may see) and the quick-add form; none for
    guests, who reach the tasks shared with them from "Shared with me" and add none."""
    if getattr(request.user, "is_guest", False):
        return None
    from clarion.tasks.forms import TaskForm, link_value
    from clarion.tasks.queries import open_tasks_for_record
    from clarion.tasks.schedule import request_zone

    tasks = list(open_tasks_for_record(request.user, record)[:PANEL_LIMIT + 1])
    form = TaskForm(user=request.user, zone_name=str(request_zone(request)),
                    auto_id="quick-task-%s", links=False)
    relation = {"contact": "contacts", "company": "companies", "deal": "deals"}[
        object_type.name]
    return {"tasks": tasks[:PANEL_LIMIT], "more": len(tasks) > PANEL_LIMIT, "form": form,
            "link": link_value(record), "relation": relation, "record_pk": record.pk,
            "next": request.get_full_path(), "zone": request_zone(request)}


ACTIONS = {
    "task.created": gettext_lazy("%(actor)s created the task “%(title)s”"),
    "task.completed": gettext_lazy("%(actor)s completed the task “%(title)s”"),
    "task.reopened": gettext_lazy("%(actor)s reopened the task “%(title)s”"),
    "task.reassigned": gettext_lazy("%(actor)s reassigned the task “%(title)s”"),
    "task.snoozed": gettext_lazy("%(actor)s snoozed the task “%(title)s”"),
    "task.updated": gettext_lazy("%(actor)s edited the task “%(title)s”"),
    "task.deleted": gettext_lazy("%(actor)s deleted the task “%(title)s”"),
}


def describe_task_event(event) -> str:
    """"Ada completed the task “Call back”"."""
    actor = display_name(event.actor)
    template = ACTIONS.get(event.kind)
    title = (event.data or {}).get("title", "")
    if template is None:
        return _("%(actor)s: task “%(title)s”") % {"actor": actor, "title": title}
    return str(template) % {"actor": actor, "title": title}


def register() -> None:
    register_record_panel(RecordPanel(name="tasks", template="tasks/panel.html",
                                      context=record_panel_context, column="side", order=10))
    register_list_action(ListAction(name="create-tasks", label=gettext_lazy("Create tasks"),
                                    url_name="tasks:create_for_records",
                                    dialog="tasks/bulk_dialog.html", order=10))
    register_describer("task.", describe_task_event)
