"""The pages of segments and lists: the overview, the visual builder (new and edit) with its
live count, a segment's page (members, size over time), adding and removing members of a
static list, and the "Add to list" action of contact list pages.

Everyone who may view contacts sees segments; creating and changing them takes the
`segments.manage` capability. Members are always read through `visible_to`."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from clarion.core import cursors
from clarion.core.filters import InvalidFilter, build_catalogue
from clarion.core.permissions import has_capability, record_scope, visible_to
from clarion.crm.lists import OPERATOR_LABELS, selected_records
from clarion.crm.models import Contact
from clarion.crm.objects import get_object_type
from clarion.crm.search import search_condition
from clarion.segments import queries, services
from clarion.segments.forms import (
    SegmentForm,
    builder_catalogue,
    builder_labels,
    builder_options,
)
from clarion.segments.leaves import referenced_segments
from clarion.segments.models import Segment

MEMBERS_PAGE = 50
PREVIEW_SIZE = 10
PICKER_SIZE = 10
CURSOR_SALT = "segments.members"


def _require_contacts(user) -> None:
    if record_scope(user, "contacts", "view") is None:
        raise PermissionDenied


def _require_manage(user) -> None:
    if not has_capability(user, "segments.manage"):
        raise PermissionDenied


def _segment_or_404(request: HttpRequest, pk: int) -> Segment:
    _require_contacts(request.user)
    return get_object_or_404(queries.segments_for(request.user), pk=pk)


# --- the overview -----------------------------------------------------------------------

@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    _require_contacts(request.user)
    segments = queries.segments_for(request.user).select_related("owner")
    return render(request, "segments/list.html", {
        "segments": segments, "can_manage": has_capability(request.user, "segments.manage"),
        "current_section": "segments"})


# --- the builder ------------------------------------------------------------------------

def _builder_page(request, form: SegmentForm, segment: Segment | None, error=None):
    return render(request, "segments/builder.html", {
        "form": form, "segment": segment, "error": error,
        "catalogue": builder_catalogue(request.user, exclude=segment),
        "labels": builder_labels(), "current_section": "segments"})


@login_required
def segment_create(request: HttpRequest) -> HttpResponse:
    _require_contacts(request.user)
    _require_manage(request.user)
    kind = request.GET.get("kind", Segment.Kind.DYNAMIC)
    form = SegmentForm(request.POST or None, initial={
        "kind": kind if kind in Segment.Kind.values else Segment.Kind.DYNAMIC})
    if request.method != "POST" or not form.is_valid():
        return _builder_page(request, form, None)
    data = form.cleaned_data
    try:
        if data["kind"] == Segment.Kind.STATIC:
            segment = _create_list_from_matches(request.user, data)
        else:
            segment = services.create_segment(
                actor=request.user, name=data["name"], kind=Segment.Kind.DYNAMIC,
                definition=data["definition"], description=data["description"])
    except InvalidFilter as error:
        return _builder_page(request, form, None, error)
    messages.success(request, _("“%(name)s” saved.") % {"name": segment.name})
    return redirect(segment)


@transaction.atomic
def _create_list_from_matches(user, data: dict) -> Segment:
    """A static list holding a snapshot of the contacts the conditions match now (those the
    user may see), or an empty list without conditions."""
    segment = services.create_segment(actor=user, name=data["name"], kind=Segment.Kind.STATIC,
                                      description=data["description"])
    if data["definition"]:
        services.add_members(segment, queries.matching(data["definition"], user), actor=user)
        segment.refresh_from_db()
    return segment


@login_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_or_404(request, pk)
    _require_manage(request.user)
    initial = {"name": segment.name, "description": segment.description, "kind": segment.kind,
               "definition": json.dumps(segment.definition) if segment.is_dynamic else ""}
    form = SegmentForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method != "POST" or not form.is_valid():
        return _builder_page(request, form, segment)
    changes = {"name": form.cleaned_data["name"],
               "description": form.cleaned_data["description"]}
    if segment.is_dynamic:
        changes["definition"] = form.cleaned_data["definition"] or {"all": []}
    try:
        segment = services.update_segment(segment, actor=request.user, **changes)
    except InvalidFilter as error:
        return _builder_page(request, form, segment, error)
    messages.success(request, _("“%(name)s” saved.") % {"name": segment.name})
    return redirect(segment)


@login_required
@require_POST
def builder_count(request: HttpRequest) -> HttpResponse:
    """The live count and the first matching contacts of the builder's conditions."""
    _require_contacts(request.user)
    context = {"definition_given": bool(request.POST.get("definition", "").strip())}
    try:
        definition = _definition_from(request.POST.get("definition", ""))
        context.update(count=queries.count_matching(definition, request.user),
                       preview=queries.preview_matching(definition, request.user,
                                                        limit=PREVIEW_SIZE))
    except InvalidFilter as error:
        context["error"] = error
    return render(request, "segments/builder_count.html", context)


def _definition_from(text: str) -> dict:
    if not text.strip():
        return {"all": []}
    try:
        tree = json.loads(text)
    except ValueError:
        raise InvalidFilter(_("The conditions could not be read.")) from None
    if not isinstance(tree, dict):
        raise InvalidFilter(_("The conditions could not be read."))
    return tree


@login_required
@require_GET
def list_builder_options(request: HttpRequest) -> JsonResponse:
    """Membership and behaviour conditions for the filter builder of the contact list
    (asked for by the builder with the list's own address)."""
    try:
        match = resolve(request.GET.get("path", ""))
    except Resolver404:
        return JsonResponse({})
    if match.kwargs.get("type_name") != "contact" or record_scope(
            request.user, "contacts", "view") is None:
        return JsonResponse({})
    return JsonResponse({**builder_options(request.user), "labels": builder_labels()})


# --- one segment ------------------------------------------------------------------------

def _members_page(segment: Segment, user, after: str) -> tuple[list, str]:
    """A keyset page of the members the user may see, newest member first."""
    members = queries.members(segment, user).order_by("-pk")
    if after:
        try:
            _value, last_id = cursors.decode_cursor(after, salt=CURSOR_SALT)
            members = members.filter(pk__lt=int(last_id))
        except (cursors.InvalidCursor, TypeError, ValueError):
            pass
    page = list(members.select_related("owner", "company")[:MEMBERS_PAGE + 1])
    if len(page) <= MEMBERS_PAGE:
        return page, ""
    page = page[:MEMBERS_PAGE]
    return page, cursors.encode_cursor(None, page[-1].pk, salt=CURSOR_SALT)


@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_or_404(request, pk)
    page, next_cursor = _members_page(segment, request.user, request.GET.get("after", ""))
    can_manage = has_capability(request.user, "segments.manage")
    context = {"segment": segment, "members": page, "next_cursor": next_cursor,
               "paged": bool(request.GET.get("after")), "can_manage": can_manage,
               "current_section": "segments"}
    if request.htmx and request.GET.get("after") is not None:
        return render(request, "segments/members.html", context)
    samples = list(queries.size_history(segment))
    context.update(history=samples, chart=_chart(samples),
                   summary=describe_definition(segment.definition, request.user))
    return render(request, "segments/detail.html", context)


def _chart(samples: list) -> list[dict]:
    """Bars of the size-over-time chart (an SVG 100 × 40 units): the last 30 samples, scaled
    to the largest."""
    recent = samples[-30:]
    largest = max((s.size for s in recent), default=0) or 1
    step = 100 / max(len(recent), 1)
    bars = []
    for index, sample in enumerate(recent):
        height = round(sample.size / largest * 38, 2)
        bars.append({"sample": sample, "x": round(index * step, 2),
                     "width": round(step * 0.8, 2), "y": round(40 - height, 2),
                     "height": height})
    return bars


# --- the definition in words (the detail page) ------------------------------------------

def describe_definition(definition: dict, user) -> dict:
    """The definition as a tree of short sentences: {"text", "children"} per node."""
    catalogue = build_catalogue(Contact, "contact")
    names = dict(queries.segments_for(user).filter(
        pk__in=referenced_segments(definition)).values_list("pk", "name"))
    return _describe(definition or {"all": []}, catalogue, names)


def _describe(node: dict, catalogue, names: dict) -> dict:
    for match, text in (("all", _("All of these")), ("any", _("Any of these"))):
        if isinstance(node.get(match), list):
            if not node[match]:
                return {"text": _("Every contact") if match == "all" else _("No contact"),
                        "children": []}
            return {"text": text, "children": [_describe(child, catalogue, names)
                                               for child in node[match]]}
    if "not" in node:
        return {"text": _("None of these"), "children": [_describe(node["not"], catalogue,
                                                                    names)]}
    return {"text": _leaf_sentence(node, catalogue, names), "children": []}


def _leaf_sentence(leaf: dict, catalogue, names: dict) -> str:
    if "segment" in leaf:
        name = names.get(leaf["segment"], _("a deleted segment or list"))
        template = _("Is a member of “%(name)s”") if leaf.get("op", "in") == "in" else _(
            "Is not a member of “%(name)s”")
        return template % {"name": name}
    if "event" in leaf:
        return _event_sentence(leaf)
    if "association" in leaf and isinstance(leaf.get("where"), dict):
        related = catalogue.through(leaf["association"]) if leaf[
            "association"] in catalogue.associations else catalogue
        inner = _describe(leaf["where"], related, names)
        label = catalogue.associations.get(leaf["association"])
        return f"{(label.label if label else leaf['association']).capitalize()}: " \
               f"{inner['text'] if not inner['children'] else '…'}"
    return _property_sentence(leaf, catalogue)


def _property_sentence(leaf: dict, catalogue) -> str:
    field = catalogue.fields.get(leaf.get("property"))
    label = field.label.capitalize() if field else str(leaf.get("property"))
    op = str(OPERATOR_LABELS.get(leaf.get("op"), leaf.get("op")))
    value = leaf.get("value")
    if value is None:
        return f"{label} {op}"
    options = dict(field.options) if field else {}
    shown = [options.get(str(v), str(v)) for v in (value if isinstance(value, list)
                                                    else [value])]
    return f"{label} {op} {', '.join(shown)}"


def _event_sentence(leaf: dict) -> str:
    kind = queries.KIND_LABELS.get(leaf["event"], leaf["event"])
    parts = [_("Did not: %(event)s") % {"event": kind} if leaf.get("negate")
             else _("Did: %(event)s") % {"event": kind}]
    (op, value), = (leaf.get("count") or {"gte": 1}).items()
    if op == "gte" and value != 1:
        parts.append(_("at least %(n)s times") % {"n": value})
    elif op == "lte":
        parts.append(_("at most %(n)s times") % {"n": value})
    elif op == "between":
        parts.append(_("%(low)s to %(high)s times") % {"low": value[0], "high": value[1]})
    if leaf.get("within_days"):
        parts.append(_("in the last %(days)s days") % {"days": leaf["within_days"]})
    if leaf.get("between"):
        parts.append(_("between %(first)s and %(last)s") % {"first": leaf["between"][0],
                                                             "last": leaf["between"][1]})
    where = leaf.get("where") or {"all": []}
    if where != {"all": []}:
        conditions = where.get("all") or [where]
        parts.append(_("where %(conditions)s") % {"conditions": "; ".join(
            f"{c.get('property')} {OPERATOR_LABELS.get(c.get('op'), c.get('op'))}"
            f"{' ' + str(c['value']) if c.get('value') is not None else ''}"
            for c in conditions if isinstance(c, dict))})
    return " ".join(str(part) for part in parts)


@login_required
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_or_404(request, pk)
    _require_manage(request.user)
    name = segment.name
    services.delete_segment(segment, actor=request.user)
    messages.success(request, _("“%(name)s” deleted.") % {"name": name})
    return redirect("segments:list")


@login_required
@require_POST
def segment_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_or_404(request, pk)
    _require_manage(request.user)
    if not segment.is_dynamic:
        raise PermissionDenied
    joined, left = services.refresh_segment(segment)
    messages.success(request, _("Refreshed: %(joined)s joined, %(left)s left.")
                     % {"joined": joined, "left": left})
    return redirect(segment)


# --- members of a static list -----------------------------------------------------------

def _static_list_to_change(request: HttpRequest, pk: int) -> Segment:
    segment = _segment_or_404(request, pk)
    _require_manage(request.user)
    if not segment.is_static:
        raise PermissionDenied
    return segment


def _visible_contacts(request: HttpRequest):
    ids = [int(i) for i in request.POST.getlist("contact") if i.isdigit()]
    return visible_to(request.user, Contact.objects.filter(pk__in=ids))


@login_required
@require_POST
def members_add(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _static_list_to_change(request, pk)
    added = services.add_members(segment, _visible_contacts(request), actor=request.user)
    messages.success(request, ngettext("%(count)s contact added.", "%(count)s contacts added.",
                                       added) % {"count": added})
    return redirect(segment)


@login_required
@require_POST
def members_remove(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _static_list_to_change(request, pk)
    removed = services.remove_members(segment, _visible_contacts(request), actor=request.user)
    messages.success(request, ngettext("%(count)s contact removed.",
                                       "%(count)s contacts removed.", removed)
                     % {"count": removed})
    return redirect(segment)


@login_required
@require_GET
def contact_picker(request: HttpRequest, pk: int) -> HttpResponse:
    """Contacts matching the search that are not in the list yet (the add-contacts picker)."""
    segment = _static_list_to_change(request, pk)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        found = list(visible_to(request.user, Contact.objects.all())
                     .filter(search_condition("contact", query))
                     .exclude(segment_memberships__segment=segment)
                     .order_by("-pk")[:PICKER_SIZE])
    return render(request, "segments/picker_results.html",
                  {"segment": segment, "found": found, "query": query})


# --- "Add to list" from a contact list page -------------------------------------------

@login_required
@require_POST
def add_to_list(request: HttpRequest) -> HttpResponse:
    _require_manage(request.user)
    object_type = get_object_type("contact")
    referer = request.META.get("HTTP_REFERER", "")
    back = referer if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()) \
        else object_type.url_list
    try:
        contacts = selected_records(request, object_type, "view")
    except InvalidFilter as error:
        messages.error(request, error.message)
        return redirect(back)
    with transaction.atomic():
        target = _target_list(request)
        if target is None:
            messages.error(request, _("Choose a list or give the new list a name."))
            return redirect(back)
        added = services.add_members(target, contacts, actor=request.user)
    messages.success(request, ngettext(
        "%(count)s contact added to “%(name)s”.", "%(count)s contacts added to “%(name)s”.",
        added) % {"count": added, "name": target.name})
    return redirect(back)


@login_required
@require_GET
def list_choices(request: HttpRequest) -> HttpResponse:
    _require_manage(request.user)
    lists = queries.segments_for(request.user).filter(kind=Segment.Kind.STATIC).select_related(
        None).only("id", "name")
    return render(request, "segments/list_choices.html", {"lists": lists})


def _target_list(request: HttpRequest) -> Segment | None:
    new_name = request.POST.get("new_list", "").strip()[:200]
    if new_name:
        return services.create_segment(actor=request.user, name=new_name,
                                       kind=Segment.Kind.STATIC)
    chosen = request.POST.get("list", "")
    if not chosen.isdigit():
        return None
    return get_object_or_404(queries.segments_for(request.user).filter(
        kind=Segment.Kind.STATIC), pk=int(chosen))
