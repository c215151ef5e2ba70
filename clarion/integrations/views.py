"""The pages of the integrations section: the import wizard, import history and results,
and the exports page with its downloads. Thin: parse, check the capability, call a service
or query, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clarion.core.filters import InvalidFilter, build_catalogue
from clarion.core.listviews.queries import views_for
from clarion.core.permissions import capability_required, has_capability
from clarion.crm.lists import read_state, selected_records
from clarion.crm.objects import get_object_type
from clarion.integrations import exports, queries, wizard
from clarion.integrations import services as import_services
from clarion.integrations.forms import ExportForm, UploadForm, read_mapping
from clarion.integrations.models import ExportJob, ImportJob

EXPORT = "data.export"
IMPORT = "data.import"
SECTION = "integrations"
# What "the columns shown" adds before a list's columns: the list's name column.
NAME_FIELDS = {"contact": ["first_name", "last_name"], "company": ["name"], "deal": ["name"]}


def _page(request: HttpRequest, template: str, context: dict, status: int = 200):
    return render(request, template, {"current_section": SECTION, **context}, status=status)


# --- exports ----------------------------------------------------------------------------------

@capability_required(EXPORT)
def export_list(request: HttpRequest) -> HttpResponse:
    """My exports, with a form for a new one; htmx polls the table while any is running."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        exports.request_export(actor=request.user, object_type=data["object_type"],
                               segment=data["segment"], fmt=data["format"])
        messages.success(request, _("The export has started. It appears below when ready."))
        return redirect("integrations:export_list")
    limit = _limit(request.GET.get("limit", ""))
    jobs = _described(exports.exports_of(request.user)[:limit])
    context = {"jobs": jobs, "form": form, "limit": limit,
               "polling": any(job.status in _UNFINISHED for job in jobs)}
    if request.htmx and request.method == "GET":
        return render(request, "integrations/exports_table.html", context)
    return _page(request, "integrations/exports.html", context)


_UNFINISHED = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
EXPORTS_SHOWN = 50
RECENT_EXPORTS = 5


def _described(jobs) -> list[ExportJob]:
    jobs = list(jobs)
    for job in jobs:
        job.selection = exports.selection_label(job)
    return jobs


def _limit(text: str) -> int:
    return min(int(text), EXPORTS_SHOWN) if text.isdigit() and int(text) > 0 else EXPORTS_SHOWN


@require_POST
@capability_required(EXPORT)
def export_from_list(request: HttpRequest) -> HttpResponse:
    """A list's "Export" action: the ticked records or all matching the list's filter, with
    the columns shown or all properties."""
    object_type = get_object_type(request.GET.get("type", ""))
    back = object_type.url_list
    all_matching = request.POST.get("scope") == "all"
    try:
        selection = selected_records(request, object_type, "view")
        state = read_state(request.POST, object_type,
                           build_catalogue(object_type.model, object_type.name),
                           list(views_for(request.user, object_type.name)))
        ids = None if all_matching else list(selection.values_list("pk", flat=True))
        if ids == []:
            messages.error(request, _("Tick the records to export, or choose all matching."))
            return redirect(back)
        exports.request_export(
            actor=request.user, object_type=object_type.name, definition=state.filter,
            record_ids=ids, columns=_list_columns(request, object_type.name, state.columns),
            fmt=request.POST.get("export_format", "csv"))
    except InvalidFilter as error:
        messages.error(request, error.message)
        return redirect(back)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    messages.success(request, _("The export has started. It appears below when ready."))
    return redirect("integrations:export_list")


def _list_columns(request: HttpRequest, type_name: str, shown: list[str]) -> list[str]:
    if request.POST.get("export_columns") == "all":
        return []
    names = NAME_FIELDS[type_name]
    return names + [name for name in shown if name not in names]


@capability_required(EXPORT)
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The finished file, as an attachment; only its owner may download it."""
    job = exports.get_export_for(request.user, pk)
    if job is None or job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=exports.download_name(job))




# --- the section home: import history and exports --------------------------------------------

@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Import history and recent exports; an explanation for people who may do neither."""
    may_import, may_export = (has_capability(request.user, IMPORT),
                              has_capability(request.user, EXPORT))
    jobs = _described(exports.exports_of(request.user)[:RECENT_EXPORTS]) if may_export else []
    return _page(request, "integrations/home.html", {
        "may_import": may_import, "may_export": may_export,
        "imports": list(import_history(request.user)[:50]) if may_import else [],
        "jobs": jobs, "limit": RECENT_EXPORTS,
        "polling": any(job.status in _UNFINISHED for job in jobs)})


def import_history(user):
    """The user's own imports (everyone's for people who manage settings), newest first."""
    return queries.imports_of(user).order_by("-created_at", "-id")


def _import_or_404(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(import_history(request.user), pk=pk)


# --- the import wizard -----------------------------------------------------------------------

@capability_required(IMPORT)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file, the record type, the mode and what matches existing records."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_services.create_import(
                actor=request.user, file=data["file"], name=data["file"].name,
                object_type=data["object_type"], mode=data["mode"], match_by=data["match_by"])
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "file", error)
        except PermissionDenied as error:
            form.add_error("object_type", _message(error))
        else:
            return redirect("integrations:import_mapping", job.pk)
    return _page(request, "integrations/import_upload.html", {"form": form, "step": 1},
                 status=400 if form.errors else 200)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return error.messages[0]
    return str(error) or _("That is not allowed.")


def _started(job: ImportJob) -> bool:
    """Mapping and preview only make sense before the import runs; afterwards (the back
    button, a second click on Start) they lead to the import's progress and results."""
    return job.status != ImportJob.Status.UPLOADED


@capability_required(IMPORT)
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: each column's property (suggested), transforms, new properties."""
    job = _import_or_404(request, pk)
    if _started(job):
        return redirect("integrations:import_detail", job.pk)
    error = ""
    if request.method == "POST":
        mapping, transforms = read_mapping(request.POST, job.headers)
        try:
            _save_mapping(request, job, mapping, transforms)
        except (ValidationError, ValueError, PermissionDenied) as problem:
            error = _message(problem)
        else:
            if "create_property" not in request.POST:
                return redirect("integrations:import_preview", job.pk)
            messages.success(request, _("The property was created and the column mapped "
                                        "to it."))
            return redirect("integrations:import_mapping", job.pk)
    return _page(request, "integrations/import_mapping.html",
                 {**wizard.mapping_context(job, request.user), "error": error, "step": 2},
                 status=400 if error else 200)


def _save_mapping(request: HttpRequest, job: ImportJob, mapping: dict, transforms: dict):
    import_services.set_mapping(job, mapping, transforms, actor=request.user)
    index = request.POST.get("create_property", "")
    if index.isdigit() and int(index) < len(job.headers):
        column = job.headers[int(index)]
        import_services.create_property_for_column(
            job, column, actor=request.user,
            label=request.POST.get(f"new-label-{index}", "").strip() or column,
            type=request.POST.get(f"new-type-{index}", "text"))


@capability_required(IMPORT)
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: the first rows as they will be stored, problems spelled out; then start."""
    job = _import_or_404(request, pk)
    if _started(job):
        return redirect("integrations:import_detail", job.pk)
    error = ""
    if request.method == "POST":
        try:
            _choose_list(request, job)
            import_services.start_import(job, actor=request.user)
        except (ValidationError, PermissionDenied) as problem:
            error = _message(problem)
        else:
            return redirect("integrations:import_detail", job.pk)
    return _page(request, "integrations/import_preview.html",
                 {**wizard.preview_context(job, request.user), "error": error, "step": 3},
                 status=400 if error else 200)


def _choose_list(request: HttpRequest, job: ImportJob) -> None:
    """The static list picked on the preview page, if any, for the contacts to join."""
    chosen = wizard.static_list(request.user, job, request.POST.get("list", ""))
    if chosen is not None or job.list_id:
        import_services.set_import_list(job, chosen, actor=request.user)


@capability_required(IMPORT)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Steps 4 and 5: live progress while it runs (htmx polls the status part), then the
    results with the error file, the static list and undo."""
    job = _import_or_404(request, pk)
    if job.status == ImportJob.Status.UPLOADED:
        return redirect("integrations:import_mapping", job.pk)
    context = wizard.results_context(job, request.user)
    if request.htmx:
        return render(request, "integrations/import_status.html", context)
    return _page(request, "integrations/import_detail.html", {**context, "step": 4})


@capability_required(IMPORT)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The failed and skipped rows as CSV: line, reason and the original cells."""
    job = _import_or_404(request, pk)
    return wizard.error_file_response(job, import_services.error_rows(job))


@require_POST
@capability_required(IMPORT)
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_or_404(request, pk)
    try:
        import_services.undo_import(job, actor=request.user)
    except (ValidationError, ValueError, PermissionDenied) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The import was undone."))
    return redirect("integrations:import_detail", job.pk)


@require_POST
@capability_required(IMPORT)
def import_add_to_list(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_or_404(request, pk)
    try:
        count, segment = wizard.add_to_list(job, actor=request.user, data=request.POST)
    except (ValidationError, ValueError, PermissionDenied) as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, ngettext(
            "%(count)s contact added to “%(list)s”.", "%(count)s contacts added to “%(list)s”.",
            count) % {"count": count, "list": segment.name})
    return redirect("integrations:import_detail", job.pk)
