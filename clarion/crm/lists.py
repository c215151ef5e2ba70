"""The list pages of contacts, companies and deals (one generic view driven by
`objects.py`): the filter builder, chosen columns, sort by any column, saved views, keyset
pages with a total, and bulk actions over the selected rows or all matching records.

Every read goes through `visible_to`; bulk writes only touch records the user may edit."""

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Case, F, FloatField, Q, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clarion.core import cursors
from clarion.core.filters import Catalogue, Field, InvalidFilter, build_catalogue, compile_filter
from clarion.core.filters.validation import coerce_value
from clarion.core.listviews.models import SavedView
from clarion.core.listviews.queries import views_for
from clarion.core.listviews.services import delete_view, save_view
from clarion.core.permissions import has_capability, record_scope, visible_to
from clarion.crm import extensions
from clarion.crm.objects import ObjectType, get_object_type
from clarion.crm.services import bulk_delete, bulk_set_field

PAGE_SIZE = 50
# Above this many rows (by the planner's estimate) PostgreSQL shows an estimate, not a count.
ESTIMATE_ABOVE = 100_000
EXACT_COUNT_LIMIT = 10_000
NUMBER_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
# Fields a bulk edit may not set: identities, bookkeeping, and fields whose changes carry
# rules of their own (lifecycle only moves forward, deal stages emit stage events).
NOT_BULK_EDITABLE = {"email", "created_at", "updated_at", "created_by", "owner",
                     "lifecycle_stage", "stage", "pipeline", "company"}


# --- the state of a list: filter, columns, sort, saved view -----------------------------

@dataclass
class ListState:
    filter: dict = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    sort: str = "-created_at"
    view: SavedView | None = None
    error: str = ""

    @property
    def filter_json(self) -> str:
        return json.dumps(self.filter) if self.filter else ""

    def query(self, **extra) -> str:
        """The query string that reopens this state (for links: sort headers, pages)."""
        params = {"filter": json.dumps(self.filter) if self.filter else "",
                  "columns": ",".join(self.columns), "sort": self.sort,
                  "view": self.view.pk if self.view else "", **extra}
        return urlencode({key: value for key, value in params.items() if value})


def read_state(data, object_type: ObjectType, catalogue: Catalogue, views) -> ListState:
    """The list state from request parameters, falling back on the chosen saved view."""
    view = next((v for v in views if str(v.pk) == data.get("view", "")), None)
    state = ListState(view=view)
    raw_filter = data.get("filter")
    try:
        state.filter = json.loads(raw_filter) if raw_filter else (view.filter if view else {})
    except ValueError:
        state.error = _("The filter is not valid JSON.")
    columns = data.get("columns") or ",".join(data.getlist("column"))
    names = columns.split(",") if columns else (view.columns if view else [])
    state.columns = [n for n in names if n in catalogue.fields] or [
        n for n in object_type.list_columns if n in catalogue.fields]
    sort = data.get("sort") or (view.sort if view else "") or "-created_at"
    state.sort = sort if sort.lstrip("-") in catalogue.fields else "-created_at"
    return state


# --- sorting and keyset pages -------------------------------------------------------------

def sort_expression(catalogue_field: Field):
    """What a column sorts by: the value itself, a related record's name, or a custom
    property read from JSON (numbers as numbers, the rest as text)."""
    name = catalogue_field.name
    if not catalogue_field.custom:
        if catalogue_field.family == "user":
            return F(f"{name}__email")
        if catalogue_field.family == "reference":
            related = catalogue_field.related_model
            has_name = any(f.name == "name" for f in related._meta.concrete_fields)
            return F(f"{name}__name") if has_name else F(f"{name}_id")
        return F(name)
    text = KeyTextTransform(name, "properties")
    if catalogue_field.family == "number":
        numeric = Q(**{f"properties__{name}__regex": NUMBER_PATTERN})
        return Case(When(numeric, then=Cast(text, FloatField())), default=None,
                    output_field=FloatField())
    return text


def _never_empty(catalogue_field: Field, model) -> bool:
    """A NOT NULL column: sorted without NULL handling, so PostgreSQL walks its index."""
    if catalogue_field.custom or catalogue_field.family in ("user", "reference"):
        return False
    return not model._meta.get_field(catalogue_field.name).null


def _ordered(queryset, sort: str, catalogue: Catalogue):
    descending = sort.startswith("-")
    catalogue_field = catalogue.fields[sort.lstrip("-")]
    queryset = queryset.annotate(sort_key=sort_expression(catalogue_field))
    if _never_empty(catalogue_field, queryset.model):
        key = F("sort_key").desc() if descending else F("sort_key").asc()
    else:
        key = F("sort_key").desc(nulls_last=True) if descending else F("sort_key").asc(
            nulls_last=True)
    return queryset.order_by(key, "-id" if descending else "id"), descending


def _after(queryset, descending: bool, cursor: tuple, nullable: bool = True) -> models.QuerySet:
    value, last_id = cursor
    beyond = "lt" if descending else "gt"
    if value is None:  # empty values come last, ordered by id
        return queryset.filter(sort_key__isnull=True, **{f"id__{beyond}": last_id})
    # The redundant "not beyond the value" bound lets the planner start the index scan at the
    # cursor instead of filtering every row before it.
    within = Q(**{f"sort_key__{beyond}e": value})
    after = within & (Q(**{f"sort_key__{beyond}": value})
                      | Q(sort_key=value, **{f"id__{beyond}": last_id}))
    return queryset.filter(after | Q(sort_key__isnull=True) if nullable else after)


def encode_cursor(value, record_id: int) -> str:
    return cursors.encode_cursor(value, record_id, salt="crm.list")


def decode_cursor(text: str) -> tuple | None:
    try:
        value, record_id = cursors.decode_cursor(text, salt="crm.list")
        return value, int(record_id)
    except (cursors.InvalidCursor, TypeError, ValueError):
        return None


def list_page(queryset, state: ListState, catalogue: Catalogue, after: str = "",
              size: int = PAGE_SIZE) -> tuple[list, str]:
    """One page of `queryset` in the state's order, and the cursor of the next page."""
    ordered, descending = _ordered(queryset, state.sort, catalogue)
    cursor = decode_cursor(after) if after else None
    if cursor is not None:
        nullable = not _never_empty(catalogue.fields[state.sort.lstrip("-")], queryset.model)
        ordered = _after(ordered, descending, cursor, nullable)
    page = list(ordered[:size + 1])
    if len(page) <= size:
        return page, ""
    page = page[:size]
    return page, encode_cursor(page[-1].sort_key, page[-1].pk)


# --- cells --------------------------------------------------------------------------------

def cell(record, catalogue_field: Field) -> str:
    """What one list cell shows."""
    if catalogue_field.custom:
        value = (record.properties or {}).get(catalogue_field.name)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
    elif catalogue_field.options:
        value = getattr(record, f"get_{catalogue_field.name}_display")()
    else:
        value = getattr(record, catalogue_field.name)
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
    if value is None or value == "":
        return "—"
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def matching_records(user, object_type: ObjectType, catalogue: Catalogue, state: ListState,
                     verb: str = "view"):
    queryset = visible_to(user, object_type.queryset(), verb)
    if state.filter:
        queryset = queryset.filter(compile_filter(state.filter, object_type.model, user=user,
                                                  catalogue=catalogue))
    return queryset


# --- the page -------------------------------------------------------------------------------

@login_required
def record_list(request: HttpRequest, type_name: str) -> HttpResponse:
    object_type = get_object_type(type_name)
    catalogue = build_catalogue(object_type.model, object_type.name)
    views = list(views_for(request.user, object_type.name).select_related("owner"))
    if request.method == "POST":
        return _post(request, object_type, catalogue, views)
    state = read_state(request.GET, object_type, catalogue, views)
    context = {"object_type": object_type, "catalogue": catalogue, "state": state,
               "rows": None,
               "views": views, "current_section": object_type.section}
    try:
        records = matching_records(request.user, object_type, catalogue, state)
    except InvalidFilter as error:
        state.error, records = error.message, None
    if records is not None:
        related = [n for n in state.columns if catalogue.fields[n].family in (
            "user", "reference") and not catalogue.fields[n].custom]
        if related:
            records = records.select_related(*related)
        page, next_cursor = list_page(records, state, catalogue,
                                      request.GET.get("after", ""))
        columns = [catalogue.fields[name] for name in state.columns]
        context.update(headers=[_header(state, c) for c in columns],
            **count_records(records), next_cursor=next_cursor,
            paged=bool(request.GET.get("after")), columns=columns,
            rows=[(record, [cell(record, c) for c in columns]) for record in page])
    context.update(_page_extras(request, object_type, catalogue))
    template = "crm/list/results.html" if request.htmx else "crm/list/page.html"
    return render(request, template, context)


def count_records(queryset) -> dict:
    """The number of matching records: exact up to EXACT_COUNT_LIMIT ("more than" beyond it),
    or on PostgreSQL the planner's estimate when that is above ESTIMATE_ABOVE (an exact count
    of millions of rows takes seconds). The cap matters when the estimate is poor, as for
    conditions on custom properties: counting stops after the first rows beyond the cap."""
    queryset = queryset.order_by()
    if queryset.query.is_empty():  # e.g. a role that sees none of these records
        return {"total": 0, "estimated": False}
    if connection.vendor == "postgresql":
        plan = json.loads(queryset.explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        if estimate > ESTIMATE_ABOVE:
            return {"total": estimate, "estimated": True}
    capped = queryset[:EXACT_COUNT_LIMIT + 1].count()
    if capped > EXACT_COUNT_LIMIT:
        return {"total": EXACT_COUNT_LIMIT, "estimated": False, "more_than": True}
    return {"total": capped, "estimated": False}


def _header(state: ListState, column: Field) -> dict:
    """A column header: its label, the link that sorts by it and its current sort."""
    current = state.sort.lstrip("-") == column.name
    descending = state.sort.startswith("-")
    next_sort = column.name if current and descending else f"-{column.name}" if current \
        else column.name
    return {"field": column, "query": state.query(sort=next_sort, after=""),
            "aria_sort": ("descending" if descending else "ascending") if current else ""}


def _page_extras(request, object_type: ObjectType, catalogue: Catalogue) -> dict:
    area = object_type.model.capability_area
    may_edit = record_scope(request.user, area, "edit") is not None
    people = list(get_user_model().objects.filter(is_active=True).order_by("email")
                  .only("id", "email", "first_name", "last_name")[:200])
    return {
        "list_actions": extensions.list_actions(request.user, object_type, can_edit=may_edit),
        "can_create": may_edit, "can_edit": may_edit,
        "can_delete": may_edit and has_capability(request.user, f"{area}.delete"),
        "users": people,
        "editable_fields": [f for f in catalogue.fields.values()
                            if f.name not in NOT_BULK_EDITABLE and f.family not in (
                                "user", "reference")],
        "catalogue_json": catalogue_for_builder(catalogue, people),
        "builder_labels": {key: str(text) for key, text in BUILDER_LABELS.items()},
    }


OPERATOR_LABELS = {
    "eq": gettext_lazy("is"),
    "is": gettext_lazy("is"),
    "neq": gettext_lazy("is not"),
    "is_not": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "starts_with": gettext_lazy("starts with"),
    "ends_with": gettext_lazy("ends with"),
    "in": gettext_lazy("is any of"),
    "not_in": gettext_lazy("is none of"),
    "is_empty": gettext_lazy("is empty"),
    "is_not_empty": gettext_lazy("is not empty"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
    "between": gettext_lazy("between"),
    "before": gettext_lazy("before"),
    "after": gettext_lazy("after"),
    "within_last_days": gettext_lazy("in the last … days"),
    "is_true": gettext_lazy("is yes"),
    "is_false": gettext_lazy("is no"),
    "has_any": gettext_lazy("has any of"),
    "has_all": gettext_lazy("has all of"),
    "has_none": gettext_lazy("has none of"),
}

BUILDER_LABELS = {
    "all": gettext_lazy("all"), "any": gettext_lazy("any"), "match": gettext_lazy("Match"),
    "of": gettext_lazy("of these conditions"), "field": gettext_lazy("Field"),
    "operator": gettext_lazy("Condition"), "value": gettext_lazy("Value"),
    "remove": gettext_lazy("Remove condition"), "removeGroup": gettext_lazy("Remove group"),
    "addCondition": gettext_lazy("Add condition"), "addGroup": gettext_lazy("Add group"),
    "kept": gettext_lazy("Advanced conditions set through the API are kept as they are."),
    "from": gettext_lazy("From"), "to": gettext_lazy("To"), "pick": gettext_lazy("Choose…"),
}


def catalogue_for_builder(catalogue: Catalogue, people: list) -> list[dict]:
    """The fields, their operators and options, for the filter builder's script; then the
    fields of associated records as "company.employees" ("Company › Employees"), which the
    script writes as association leaves."""
    fields = [_builder_field(f, f.name, f.label, people) for f in catalogue.fields.values()]
    for association in catalogue.associations.values():
        related = catalogue.through(association.name)
        prefix = association.label[:1].upper() + association.label[1:]
        fields += [_builder_field(f, f"{association.name}.{f.name}",
                                  f"{prefix} › {f.label[:1].upper()}{f.label[1:]}", people)
                   for f in related.fields.values() if f.family not in ("user", "reference")]
    return fields


def _builder_field(catalogue_field: Field, name: str, label: str, people: list) -> dict:
    return {"name": name, "label": label[:1].upper() + label[1:],
            "family": catalogue_field.family, "type": catalogue_field.type,
            "options": _options(catalogue_field, people),
            "operators": [[op, str(OPERATOR_LABELS.get(op, op))]
                          for op in catalogue_field.operators]}


def _options(catalogue_field: Field, people: list) -> list[list[str]]:
    """Options to pick from: choices, users (with "me") and small reference tables such as
    pipelines and stages; records (companies) are typed by id instead."""
    if catalogue_field.family == "user":
        return [["me", str(_("Me"))]] + [[str(p.pk), str(p)]
                                          for p in people]
    related = catalogue_field.related_model
    if catalogue_field.family == "reference" and not hasattr(related, "capability_area"):
        return [[str(r.pk), str(r)] for r in related._default_manager.all()[:200]]
    return [list(option) for option in catalogue_field.options]


# --- posts: saved views and bulk actions ----------------------------------------------------

def _post(request, object_type: ObjectType, catalogue: Catalogue, views) -> HttpResponse:
    action = request.POST.get("action", "")
    state = read_state(request.POST, object_type, catalogue, views)
    if state.error:
        messages.error(request, state.error)
        return redirect(f"{object_type.url_list}?{state.query()}")
    try:
        if action in ("save_view", "update_view"):
            return _save_view(request, object_type, state, action)
        if action == "delete_view" and state.view:
            delete_view(state.view, actor=request.user)
            messages.success(request, _("The view was deleted."))
            return redirect(object_type.url_list)
        if action in ("bulk_edit", "bulk_assign", "bulk_delete"):
            return _bulk(request, object_type, catalogue, state, action)
    except InvalidFilter as error:
        messages.error(request, error.message)
        return redirect(f"{object_type.url_list}?{state.query()}")
    raise PermissionDenied


def _save_view(request, object_type: ObjectType, state: ListState, action: str):
    name = request.POST.get("name", "").strip() or (state.view.name if state.view else "")
    if not name:
        messages.error(request, _("Give the view a name."))
        return redirect(f"{object_type.url_list}?{state.query()}")
    compile_filter(state.filter or {"all": []}, object_type.model, user=request.user)
    view = save_view(owner=request.user, object_type=object_type.name, name=name,
                     filter=state.filter, columns=state.columns, sort=state.sort,
                     shared=request.POST.get("shared") == "on",
                     view=state.view if action == "update_view" else None)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{object_type.url_list}?view={view.pk}")


def _bulk(request, object_type: ObjectType, catalogue: Catalogue, state: ListState,
          action: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        raise PermissionDenied
    area = object_type.model.capability_area
    if action == "bulk_delete" and not has_capability(request.user, f"{area}.delete"):
        raise PermissionDenied
    targets = _selection(request, object_type, catalogue, state, "edit")
    if action == "bulk_delete":
        done = bulk_delete(targets, actor=request.user, type_name=object_type.name)
        text = ngettext("%(count)s record deleted.", "%(count)s records deleted.", done)
    else:
        catalogue_field, value = _bulk_value(request, catalogue, action)
        done = bulk_set_field(targets, actor=request.user, type_name=object_type.name,
                              field=catalogue_field, value=value)
        text = ngettext("%(count)s record updated.", "%(count)s records updated.", done)
    messages.success(request, text % {"count": done})
    return redirect(f"{object_type.url_list}?{state.query()}")


def _selection(request, object_type: ObjectType, catalogue: Catalogue, state: ListState,
               verb: str):
    targets = matching_records(request.user, object_type, catalogue, state, verb)
    if request.POST.get("scope") != "all":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        targets = targets.filter(pk__in=ids)
    return targets.order_by()


def selected_records(request: HttpRequest, object_type: ObjectType, verb: str = "view"):
    """The records a list's bulk form selected (ticked ids, or every record matching its
    filter with "all matching"), among those the user may `verb`; for other apps' list
    actions (see `crm.extensions`). Raises InvalidFilter for a bad filter."""
    catalogue = build_catalogue(object_type.model, object_type.name)
    views = list(views_for(request.user, object_type.name))
    state = read_state(request.POST, object_type, catalogue, views)
    if state.error:
        raise InvalidFilter(state.error)
    return _selection(request, object_type, catalogue, state, verb)


def _bulk_value(request, catalogue: Catalogue, action: str):
    if action == "bulk_assign":
        owner = request.POST.get("owner", "")
        if owner and not get_user_model().objects.filter(pk=owner, is_active=True).exists():
            raise InvalidFilter(_("Choose an active user as the owner."))
        return catalogue.fields["owner"], int(owner) if owner else None
    name = request.POST.get("field", "")
    catalogue_field = catalogue.fields.get(name)
    if catalogue_field is None or name in NOT_BULK_EDITABLE or catalogue_field.family in (
            "user", "reference"):
        raise InvalidFilter(_("This field can't be edited in bulk."))
    return catalogue_field, bulk_field_value(catalogue_field, request.POST)


def bulk_field_value(catalogue_field: Field, data):
    """The typed value of a bulk edit form (empty clears the field)."""
    family = catalogue_field.family
    if family == "multiselect":
        values = data.getlist("value")
        return [coerce_value(catalogue_field, "eq", v, catalogue_field.name) for v in values]
    raw = data.get("value", "").strip()
    if family == "boolean":
        return {"yes": True, "no": False}.get(raw)
    if raw == "":
        return None if catalogue_field.custom or family not in ("text", "select") else ""
    value = coerce_value(catalogue_field, "eq", raw, catalogue_field.name)
    return str(value) if family == "number" and not catalogue_field.custom else value


def get_view_or_404(user, pk: int) -> SavedView:
    return get_object_or_404(SavedView.objects.filter(Q(owner=user) | Q(shared=True)), pk=pk)
