"""The task form (new task, quick add, edit) and the bulk "Create tasks" dialog's fields.

Due date and time are entered on the user's wall clock and become one aware moment in their
time zone. Linked records are three record pickers (crm/pickers.py: a select, searchable when
there are many records) validated against what the user may see; a page can preselect them
with `link=contact:12` values.
"""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.core.permissions import visible_to
from clarion.crm.models import Company, Contact, Deal
from clarion.crm.pickers import limit_choices
from clarion.tasks.models import Priority, Reminder, Repeat, Task, TaskKind
from clarion.tasks.queries import assignable_users, queues_of
from clarion.tasks.schedule import is_known_zone, local_moment, zone_named

LINK_MODELS = {"contact": (Contact, "contacts"), "company": (Company, "companies"),
               "deal": (Deal, "deals")}


def _link_field(label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(label=label, queryset=Contact.objects.none(),
                                          required=False)


def parse_links(user, values: list[str]) -> dict[str, list]:
    """`["contact:12", "deal:3"]` → the records the user may see, by relation name."""
    wanted: dict[str, list[int]] = {name: [] for name in LINK_MODELS}
    for value in values:
        type_name, _sep, pk = value.partition(":")
        if type_name in wanted and pk.isdigit():
            wanted[type_name].append(int(pk))
    links = {}
    for type_name, (model, relation) in LINK_MODELS.items():
        ids = wanted[type_name]
        links[relation] = list(visible_to(user, model.objects.filter(pk__in=ids))) if ids else []
    return links


def keep_hidden_links(user, task: Task, values: dict) -> dict:
    """Links to records the editor can't see survive an edit: they were not offered in the
    form (or known to the API client), so leaving them out does not mean removing them."""
    for model, relation in LINK_MODELS.values():
        if relation not in values:
            continue
        linked = list(getattr(task, relation).all())
        visible = set(visible_to(user, model.objects.filter(pk__in=[r.pk for r in linked]))
                      .values_list("pk", flat=True))
        values[relation] = [*values[relation], *(r for r in linked if r.pk not in visible)]
    return values


def link_value(record) -> str:
    return f"{record._meta.model_name}:{record.pk}"


def initial_links(user, values: list[str]) -> dict[str, list[int]]:
    """The pickers' initial selection from `link=contact:12` values."""
    return {relation: [record.pk for record in records]
            for relation, records in parse_links(user, values).items()}


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    kind = forms.ChoiceField(label=_("Type"), choices=TaskKind.choices, initial=TaskKind.TODO)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices,
                                 initial=Priority.NORMAL)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False,
                               empty_label=_("Nobody (leave in the queue)"))
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=None, required=False,
                                   empty_label=_("No queue"))
    due_date = forms.DateField(label=_("Due date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(label=_("Due time"), required=False,
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    reminder = forms.ChoiceField(label=_("Reminder"), choices=Reminder.choices, required=False)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=Repeat.choices, required=False)
    repeat_interval = forms.IntegerField(label=_("Every how many days"), min_value=1,
                                         max_value=365, initial=1, required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    contacts = _link_field(_("Contacts"))
    companies = _link_field(_("Companies"))
    deals = _link_field(_("Deals"))
    time_zone = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, zone_name: str, links: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["assignee"].queryset = assignable_users(user)
        self.fields["queue"].queryset = queues_of(user)
        self.fields["time_zone"].initial = zone_name
        if not self.is_bound and "assignee" not in self.initial:
            self.initial["assignee"] = user.pk
        for type_name, (model, relation) in LINK_MODELS.items():
            if not links:  # a quick add links its record through a hidden field
                del self.fields[relation]
                continue
            selected = (self.data.getlist(relation) if self.is_bound
                        else [getattr(r, "pk", r) for r in self.initial.get(relation, [])])
            limit_choices(self.fields[relation], visible_to(user, model.objects.all()),
                          selected=[int(pk) for pk in selected if str(pk).isdigit()],
                          type_name=type_name, name=relation)

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone") or ""
        return zone if is_known_zone(zone) else str(self.fields["time_zone"].initial)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("due_time") and not cleaned.get("due_date"):
            self.add_error("due_date", _("Choose a date for the due time."))
        if cleaned.get("reminder") and not cleaned.get("due_date"):
            self.add_error("reminder", _("A reminder needs a due date."))
        if not cleaned.get("assignee") and not cleaned.get("queue"):
            self.add_error("assignee", _("Assign the task to someone or put it in a queue."))
        return cleaned

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due_date")
        if day is None:
            return None
        zone = zone_named(self.cleaned_data["time_zone"])
        return local_moment(day, self.cleaned_data.get("due_time"), zone)

    def values(self) -> dict:
        """The fields for `create_task` / `update_task`."""
        data = self.cleaned_data
        return {"title": data["title"], "notes": data.get("notes", ""), "kind": data["kind"],
                "priority": data["priority"], "assignee": data.get("assignee"),
                "queue": data.get("queue"), "due_at": self.due_at(),
                "time_zone": data["time_zone"], "reminder": data.get("reminder") or "",
                "repeat": data.get("repeat") or "",
                "repeat_interval": data.get("repeat_interval") or 1,
                **{relation: list(data.get(relation) or []) for _m, relation
                   in LINK_MODELS.values() if relation in self.fields}}


def initial_from_task(task: Task, zone) -> dict:
    """The form's initial values, the due moment shown on the editor's wall clock."""
    initial = {name: getattr(task, name) for name in (
        "title", "notes", "kind", "priority", "reminder", "repeat", "repeat_interval")}
    initial.update(assignee=task.assignee_id, queue=task.queue_id)
    for _model, relation in LINK_MODELS.values():
        initial[relation] = [record.pk for record in getattr(task, relation).all()]
    if task.due_at:
        local = task.due_at.astimezone(zone)
        initial.update(due_date=local.date(), due_time=local.time().replace(tzinfo=None))
    return initial
