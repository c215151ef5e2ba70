"""The deal board: the page, its columns as a fragment for live refreshes, and card moves."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.core.permissions import can, record_scope, visible_to
from clarion.crm import board, live
from clarion.crm.models import Deal, Pipeline, Stage
from clarion.crm.services import StaleRecord


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _require_deals(user) -> None:
    if record_scope(user, "deals", "view") is None:
        raise PermissionDenied


@login_required
def board_page(request: HttpRequest) -> HttpResponse:
    _require_deals(request.user)
    pipeline_id = _int(request.GET.get("pipeline"))
    pipeline = (get_object_or_404(Pipeline, pk=pipeline_id) if pipeline_id
                else board.default_pipeline())
    owner = request.GET.get("owner", "anyone")
    filters = board.BoardFilters(
        owner_id=request.user.pk if owner == "me" else None,
        close_from=_date(request.GET.get("close_from")),
        close_to=_date(request.GET.get("close_to")))
    columns = board.board_columns(request.user, pipeline, filters) if pipeline else []
    context = {"pipeline": pipeline, "pipelines": Pipeline.objects.all(), "columns": columns,
               "owner": owner, "filters": filters,
               "stages": [column.stage for column in columns]}
    if request.GET.get("fragment") == "columns":
        return render(request, "crm/board/columns.html", context)
    return render(request, "crm/board/board.html", context)


def _refused(message: str, status: int, deal: Deal | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "version": deal.version if deal else None},
                        status=status)


@login_required
@require_POST
def move(request: HttpRequest) -> JsonResponse:
    """Move a card: deal, stage, after (card above), before (card below), version."""
    deal = get_object_or_404(visible_to(request.user, Deal.objects.all()),
                             pk=_int(request.POST.get("deal")))
    stage = get_object_or_404(Stage, pk=_int(request.POST.get("stage")))
    if not can(request.user, "edit", deal):
        return _refused(_("You may view “%(name)s” but not move it.") % {"name": deal.name},
                        403, deal)
    try:
        moved = board.move_deal(deal, actor=request.user, stage=stage,
                                after_id=_int(request.POST.get("after")),
                                before_id=_int(request.POST.get("before")),
                                expected_version=_int(request.POST.get("version")))
    except StaleRecord as error:
        return _refused(_("Someone else moved “%(name)s” in the meantime; the board shows "
                          "where it is now.") % {"name": deal.name}, 409, error.record)
    except board.InvalidMove as error:
        return _refused(str(error), 400, deal)
    live.announce_on_commit(object_type="deal", record_id=moved.pk,
                            pipeline_id=moved.pipeline_id, actor=request.user)
    return JsonResponse({"ok": True, "version": moved.version, "stage": stage.pk,
                         "message": _("“%(deal)s” moved to %(stage)s.") % {
                             "deal": moved.name, "stage": stage.name}})
