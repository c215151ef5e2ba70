"""The record pages, one generic set for contacts, companies and deals (see `objects.py`):
detail with timeline, create, edit, delete, and associations. The list pages are in
`lists.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.core.permissions import can, record_scope, visible_to
from clarion.crm import extensions, queries, services, timeline
from clarion.crm.forms import record_form
from clarion.crm.models import Stage
from clarion.crm.objects import ObjectType, get_object_type


def get_visible_record(request: HttpRequest, object_type: ObjectType, pk: int):
    """The record if the user may see it; 404 otherwise, so ids don't reveal existence."""
    return get_object_or_404(visible_to(request.user, object_type.queryset()), pk=pk)


def render_record_page(request: HttpRequest, template: str, context: dict,
                       status: int = 200) -> HttpResponse:
    """Render with the app-shell section of the page's object type marked current."""
    context["current_section"] = context["object_type"].section
    return render(request, template, context, status=status)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def record_detail(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    object_type = get_object_type(type_name)
    record = get_visible_record(request, object_type, pk)
    return render_record_page(request, "crm/record_detail.html", {
        "object_type": object_type, "record": record, "urls": object_type.record_urls(record),
        "core_rows": queries.core_rows(object_type, record),
        "property_groups": queries.property_rows(object_type, record),
        "associations": queries.associations(record, request.user),
        "can_edit": can(request.user, "edit", record),
        "can_delete": can(request.user, "delete", record),
        "panels": extensions.record_panels(request, object_type, record),
        **_timeline_context(request, object_type, record)})


def _timeline_context(request: HttpRequest, object_type: ObjectType, record) -> dict:
    kind = request.GET.get("kind") or None
    field = request.GET.get("field") or None
    events, older = timeline.timeline_page(
        record, viewer=request.user, kinds=[kind] if kind else None, field=field,
        before=timeline.decode_cursor(request.GET.get("before", "")))
    return {"entries": timeline.describe_all(events, object_type),
            "kinds": timeline.kinds_present(record), "kind": kind or "", "field": field or "",
            "field_label": timeline.FieldLabels(object_type).label(field) if field else "",
            "older_cursor": timeline.encode_cursor(older)}


@login_required
def record_timeline(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    """The timeline entries alone: htmx swaps them in for the kind filter and "Older"."""
    object_type = get_object_type(type_name)
    record = get_visible_record(request, object_type, pk)
    template = "crm/timeline.html" if request.GET.get("part") == "list" else \
        "crm/timeline_entries.html"
    return render(request, template, {"object_type": object_type, "record": record,
                                      "urls": object_type.record_urls(record),
                                      **_timeline_context(request, object_type, record)})


@login_required
def record_create(request: HttpRequest, type_name: str) -> HttpResponse:
    object_type = get_object_type(type_name)
    require(record_scope(request.user, object_type.model.capability_area, "edit") is not None)
    form = record_form(object_type, user=request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not can(request.user, "edit", form.instance):
            form.add_error("owner", _("Owner: you may only create records you own."))
        else:
            record = services.create_record(object_type.model, actor=request.user,
                                            values=form.values())
            messages.success(request, _("%(type)s “%(name)s” created.") % {
                "type": str(object_type.verbose_name).capitalize(), "name": record})
            return redirect(object_type.url("detail", record))
    return render_record_page(request, "crm/record_form.html",
                              {"object_type": object_type, "form": form},
                              status=400 if form.errors else 200)


@login_required
def record_edit(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    object_type = get_object_type(type_name)
    record = get_visible_record(request, object_type, pk)
    require(can(request.user, "edit", record))
    form = record_form(object_type, user=request.user, data=request.POST or None,
                       instance=record)
    context = {"object_type": object_type, "form": form, "record": record}
    if request.method == "POST" and form.is_valid():
        try:
            services.update_record(
                record, actor=request.user, values=form.values(),
                expected_version=form.cleaned_data.get("version"),
                allow_lifecycle_backward=form.cleaned_data["confirm_lifecycle_backward"])
        except services.StaleRecord as stale:
            context["stale_fields"] = [queries.FieldLabels(object_type).label(name)
                                       for name in stale.changed_fields]
            context["form"] = _refreshed_form(request, object_type, stale.record)
        except services.LifecycleMovesBackward as backward:
            context["lifecycle_warning"] = str(backward)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(object_type.url("detail", record))
    return render_record_page(request, "crm/record_form.html", context,
                              status=400 if request.method == "POST" else 200)


def _refreshed_form(request: HttpRequest, object_type: ObjectType, current):
    """The user's own input again, now based on the latest version: saving it once more
    overwrites the colleague's change knowingly."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = record_form(object_type, user=request.user, data=data, instance=current)
    form.is_valid()
    return form


@login_required
def record_delete(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    object_type = get_object_type(type_name)
    record = get_visible_record(request, object_type, pk)
    require(can(request.user, "delete", record))
    if request.method == "POST":
        name = str(record)
        services.delete_record(record, actor=request.user)
        messages.success(request, _("“%(name)s” deleted.") % {"name": name})
        return redirect(object_type.url("list"))
    return render_record_page(request, "crm/record_delete.html",
                              {"object_type": object_type, "record": record})


def _association_pair(request: HttpRequest, type_name: str, pk: int, other_name: str,
                      other_pk: int):
    object_type, other_type = get_object_type(type_name), get_object_type(other_name)
    if other_name not in queries.ASSOCIATED_TYPES[type_name]:
        raise Http404
    record = get_visible_record(request, object_type, pk)
    other = get_visible_record(request, other_type, other_pk)
    holder, _linked = services.association_owner(record, other)
    require(can(request.user, "edit", holder))
    return object_type, record, other


@login_required
@require_POST
def association_add(request: HttpRequest, type_name: str, pk: int,
                    other_name: str) -> HttpResponse:
    other_pk = request.POST.get("other", "")
    if not other_pk.isdigit():
        messages.error(request, _("Choose a record to add."))
        return redirect(get_object_type(type_name).url("detail", pk))
    object_type, record, other = _association_pair(request, type_name, pk, other_name,
                                                   int(other_pk))
    services.associate(actor=request.user, record=record, other=other)
    messages.success(request, _("“%(other)s” added.") % {"other": other})
    return redirect(object_type.url("detail", record))


@login_required
@require_POST
def association_remove(request: HttpRequest, type_name: str, pk: int, other_name: str,
                       other_pk: int) -> HttpResponse:
    object_type, record, other = _association_pair(request, type_name, pk, other_name,
                                                   other_pk)
    services.dissociate(actor=request.user, record=record, other=other)
    messages.success(request, _("“%(other)s” removed.") % {"other": other})
    return redirect(object_type.url("detail", record))


@login_required
def stage_options(request: HttpRequest) -> HttpResponse:
    """The stage <select> for the chosen pipeline (htmx swaps it in on the deal form)."""
    pipeline = request.GET.get("pipeline", "")
    stages = Stage.objects.filter(pipeline_id=pipeline) if pipeline.isdigit() else []
    return render(request, "crm/stage_options.html", {"stages": stages})
