"""Record pickers that stay usable at a million records.

A record form's company or contacts field, and a record page's "add an association" list,
are native `<select>` elements. With a few records they list them all; beyond PICKER_LIMIT
they list the chosen ones plus the most recent, and a search box beside them refetches the
options from `picker_options` (the global search's prefix match, within what the user may
see). Validation still accepts any visible record, so nothing depends on the shown subset.
"""

import copy

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from clarion.core.permissions import visible_to
from clarion.crm.objects import OBJECT_TYPES
from clarion.crm.search import search_condition

PICKER_LIMIT = 100
OPTION_LIMIT = 50


def picker_url(type_name: str, name: str, verb: str = "view") -> str:
    return f"{reverse('search:picker')}?type={type_name}&name={name}&verb={verb}"


def limit_choices(field: forms.ModelChoiceField, visible: models.QuerySet, *, selected,
                  type_name: str, name: str) -> None:
    """Validate against every visible record; render at most PICKER_LIMIT of them (the
    selected ones first) with a search box when there are more."""
    field.queryset = visible
    if visible.order_by()[:PICKER_LIMIT + 1].count() <= PICKER_LIMIT:
        return
    selected_ids = [pk for pk in selected if pk]
    shown = visible.filter(pk__in=selected_ids) | visible.filter(
        pk__in=visible.order_by("-created_at", "-id").values("pk")[:PICKER_LIMIT])
    # The copy shares the widget, so the widget lists `shown` while the field validates all.
    copy.copy(field).queryset = shown
    field.picker_url = picker_url(type_name, name)  # read by components/form_fields.html


@login_required
def picker_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s of the visible records of `type` matching `q`, the selected ones first."""
    object_type = OBJECT_TYPES.get(request.GET.get("type", ""))
    if object_type is None:
        raise Http404
    verb = "edit" if request.GET.get("verb") == "edit" else "view"
    visible = visible_to(request.user, object_type.queryset(), verb)
    selected_ids = [int(v) for v in request.GET.getlist(request.GET.get("name", ""))
                    if v.isdigit()]
    selected = list(visible.filter(pk__in=selected_ids))
    query = request.GET.get("q", "").strip()
    matching = visible.exclude(pk__in=selected_ids)
    if query:
        matching = matching.filter(search_condition(object_type.name, query))
    options = list(matching.order_by("-created_at", "-id")[:OPTION_LIMIT])
    return render(request, "crm/picker_options.html", {
        "selected": selected, "options": options,
        "blank": request.GET.get("blank") == "1"})
