"""Pages for duplicates: the "Possible duplicates" list per record type, the notice on a
record's page, and the merge screen that compares two records field by field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from clarion.core.permissions import can, visible_to
from clarion.crm import merge
from clarion.crm.objects import OBJECT_TYPES, ObjectType

MERGEABLE = {OBJECT_TYPES[name].url_prefix: OBJECT_TYPES[name] for name in ("contact", "company")}


def _object_type(prefix: str) -> ObjectType:
    if prefix not in MERGEABLE:
        raise Http404
    return MERGEABLE[prefix]


def _visible(request: HttpRequest, object_type: ObjectType, pk: int):
    return get_object_or_404(visible_to(request.user, object_type.queryset()), pk=pk)


def _pair_rows(object_type: ObjectType, pairs: list[merge.DuplicatePair]) -> list[dict]:
    model = object_type.model
    return [{"first": pair.first, "second": pair.second,
             "reasons": [merge.reason_label(model, reason) for reason in pair.reasons]}
            for pair in pairs]


@login_required
def duplicate_list(request: HttpRequest, prefix: str) -> HttpResponse:
    object_type = _object_type(prefix)
    pairs = merge.find_duplicates(request.user, object_type.model)
    return render(request, "crm/merge/duplicates.html", {
        "object_type": object_type, "rows": _pair_rows(object_type, pairs),
        "current_section": object_type.section})


@login_required
def duplicate_notice(request: HttpRequest, prefix: str, pk: int) -> HttpResponse:
    """The notice on a record's page (loaded after the page, so it never slows it down)."""
    object_type = _object_type(prefix)
    record = _visible(request, object_type, pk)
    pairs = merge.duplicates_of(request.user, record)
    return render(request, "crm/merge/duplicates_notice_body.html", {
        "object_type": object_type, "record": record,
        "rows": _pair_rows(object_type, pairs)})


@login_required
def merge_records(request: HttpRequest, prefix: str, pk: int, other_pk: int) -> HttpResponse:
    """GET: the two records side by side with a choice per differing field. POST: merge
    `other_pk` into `pk` keeping the chosen values."""
    object_type = _object_type(prefix)
    survivor, loser = _visible(request, object_type, pk), _visible(request, object_type,
                                                                    other_pk)
    if pk == other_pk:
        raise Http404
    if not (can(request.user, "edit", survivor) and can(request.user, "delete", loser)):
        raise PermissionDenied
    fields = merge.merge_fields(survivor, loser)
    if request.method == "POST":
        choices = {field.name: request.POST.get(f"field-{field.name}", field.default)
                   for field in fields if field.differs}
        choices = {name: side for name, side in choices.items() if side in {"this", "other"}}
        merged = merge.merge_records(survivor, loser, actor=request.user, choices=choices)
        messages.success(request, _("“%(other)s” was merged into “%(record)s”.")
                         % {"other": loser, "record": merged})
        return redirect(object_type.url("detail", merged))
    return render(request, "crm/merge/merge.html", {
        "object_type": object_type, "record": survivor, "other": loser,
        "differing": [field for field in fields if field.differs],
        "same": [field for field in fields if not field.differs and field.this not in
                 (None, "", [], {})],
        "current_section": object_type.section})
