"""Settings → Pipelines: pipelines and their stages (thin views over crm.pipelines)."""

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clarion.core.permissions import capability_required
from clarion.crm import pipelines
from clarion.crm.models import Pipeline, Stage

manage_settings = capability_required("settings.manage")


class PipelineForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)


class StageForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Stage name"), max_length=120)
    probability = forms.IntegerField(label=gettext_lazy("Win probability (%)"), min_value=0,
                                     max_value=100, initial=10)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Stage.Outcome.choices,
                                initial=Stage.Outcome.OPEN)


def _offset(request: HttpRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@manage_settings
def pipeline_list(request: HttpRequest) -> HttpResponse:
    form = PipelineForm(request.POST if request.method == "POST" else None, prefix="new")
    if form.is_valid():
        pipeline = pipelines.create_pipeline(name=form.cleaned_data["name"])
        messages.success(request, _("Pipeline “%(name)s” created.") % {"name": pipeline.name})
        return redirect("pipelines:edit", pipeline.pk)
    rows = Pipeline.objects.annotate(stage_count=Count("stages", distinct=True),
                                     deal_count=Count("deals", distinct=True))
    return render(request, "settings/pipelines.html", {"pipelines": rows, "form": form},
                  status=400 if form.is_bound else 200)


@manage_settings
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineForm(request.POST if request.method == "POST" else None,
                        initial={"name": pipeline.name})
    if form.is_valid():
        pipelines.rename_pipeline(pipeline, name=form.cleaned_data["name"])
        messages.success(request, _("Pipeline “%(name)s” saved.") % {"name": pipeline.name})
        return redirect("pipelines:edit", pipeline.pk)
    stages = list(pipeline.stages.annotate(deal_count=Count("deals")).order_by("position"))
    for stage in stages:
        stage.form = StageForm(prefix=f"stage-{stage.pk}", initial={
            "name": stage.name, "probability": stage.probability, "outcome": stage.outcome})
    return render(request, "settings/pipeline_edit.html", {
        "pipeline": pipeline, "form": form, "stages": stages,
        "stage_form": StageForm(prefix="new-stage")}, status=400 if form.is_bound else 200)


@manage_settings
@require_POST
def pipeline_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    try:
        pipelines.delete_pipeline(pipeline)
    except pipelines.PipelineInUse as error:
        messages.error(request, str(error))
        return redirect("pipelines:list")
    messages.success(request, _("Pipeline “%(name)s” deleted.") % {"name": pipeline.name})
    return redirect("pipelines:list")


@manage_settings
@require_POST
def pipeline_default(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = pipelines.make_default_pipeline(get_object_or_404(Pipeline, pk=pk))
    messages.success(request, _("“%(name)s” is now the default pipeline.") % {
        "name": pipeline.name})
    return redirect("pipelines:list")


@manage_settings
@require_POST
def pipeline_move(request: HttpRequest, pk: int) -> HttpResponse:
    pipelines.move_pipeline(get_object_or_404(Pipeline, pk=pk), offset=_offset(request))
    return redirect("pipelines:list")


def _ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("order") if value.isdigit()]


@manage_settings
@require_POST
def pipeline_reorder(request: HttpRequest) -> HttpResponse:
    try:
        pipelines.reorder_pipelines(_ids(request))
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"ok": True})


@manage_settings
@require_POST
def stage_add(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = StageForm(request.POST, prefix="new-stage")
    if form.is_valid():
        stage = pipelines.add_stage(pipeline, **form.cleaned_data)
        messages.success(request, _("Stage “%(name)s” added.") % {"name": stage.name})
    else:
        messages.error(request, _("The stage was not added: %(errors)s") % {
            "errors": " ".join(error for errors in form.errors.values() for error in errors)})
    return redirect("pipelines:edit", pipeline.pk)


@manage_settings
@require_POST
def stage_update(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk)
    form = StageForm(request.POST, prefix=f"stage-{stage.pk}")
    if form.is_valid():
        pipelines.update_stage(stage, **form.cleaned_data)
        messages.success(request, _("Stage “%(name)s” saved.") % {"name": stage.name})
    else:
        messages.error(request, _("The stage was not saved: %(errors)s") % {
            "errors": " ".join(error for errors in form.errors.values() for error in errors)})
    return redirect("pipelines:edit", stage.pipeline_id)


@manage_settings
@require_POST
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk)
    pipelines.move_stage(stage, offset=_offset(request))
    return redirect("pipelines:edit", stage.pipeline_id)


@manage_settings
@require_POST
def stage_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    try:
        pipelines.reorder_stages(pipeline, _ids(request))
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"ok": True})


@manage_settings
@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk)
    target_id = request.POST.get("move_to")
    target = Stage.objects.filter(pk=target_id).first() if target_id else None
    try:
        pipelines.delete_stage(stage, actor=request.user, move_deals_to=target)
    except pipelines.PipelineInUse as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Stage “%(name)s” deleted.") % {"name": stage.name})
    return redirect("pipelines:edit", stage.pipeline_id)
