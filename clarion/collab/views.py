"""Pages for notes, calls and meetings (log, open, edit, pin, delete, history) and the
people search behind @mention autocomplete. Comments are in `comment_views.py`, files in
`file_views.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clarion.collab import queries, richtext, services
from clarion.collab.forms import ActivityForm, activity_initial
from clarion.collab.models import Activity, ActivityKind
from clarion.collab.targets import find_target, is_admin
from clarion.core.permissions import is_guest


@login_required
@require_GET
def mention_search(request: HttpRequest) -> JsonResponse:
    """Colleagues matching `q`, for the @mention autocomplete: [{id, name, email}]."""
    query = request.GET.get("q", "").strip()[:100]
    # Guests from outside the company don't get to browse the staff directory.
    people = [] if is_guest(request.user) else queries.search_people(query)
    return JsonResponse([{"id": person.pk, "name": str(person),
                          "email": person.email} for person in people], safe=False)


def _may_change(user, activity: Activity) -> bool:
    return not activity.is_deleted and (activity.author_id == user.pk or is_admin(user))


def _visible_activity(request: HttpRequest, pk: int) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("author"), pk=pk)
    if not queries.activity_visible(request.user, activity):
        raise Http404
    return activity


@login_required
@require_POST
def activity_create(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    """Log a note, call or meeting on a record (the composer posts here)."""
    target_type, record = find_target(request.user, type_name, pk)
    if type_name not in ("contact", "company", "deal") or not target_type.can_add(
            request.user, record):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    if kind not in ActivityKind.values:
        raise Http404
    form = ActivityForm(request.POST, kind=kind, user=request.user)
    if form.is_valid():
        try:
            services.log_activity(actor=request.user, kind=kind,
                                  links=form.links_with(record), values=form.values())
        except services.InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("%(kind)s saved.") % {
                "kind": ActivityKind(kind).label})
            return redirect(record.get_absolute_url())
    return render(request, "collab/activity_form.html", {
        "form": form, "record": record, "kind_label": ActivityKind(kind).label,
        "action": request.path, "kind": kind}, status=400)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible_activity(request, pk)
    return render(request, "collab/activity_detail.html", {
        "activity": activity, "body": richtext.render(activity.body),
        "records": queries.linked_records(activity, request.user),
        "attendees": list(activity.attendee_users.all()),
        "attendee_contacts": list(activity.attendee_contacts.all()),
        "can_change": _may_change(request.user, activity),
        "revisions": _revisions(activity)})


def _revisions(activity: Activity) -> list[dict]:
    return [{"revision": revision, "body": richtext.render(revision.snapshot.get("body", "")),
             "snapshot": revision.snapshot}
            for revision in activity.revisions.select_related("edited_by")]


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible_activity(request, pk)
    if not _may_change(request.user, activity):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, kind=activity.kind, user=request.user,
                        initial=activity_initial(activity))
    for name in ("links", "attendee_contacts"):
        del form.fields[name]  # what it belongs to is fixed once logged
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values.attendee_contacts = []
        try:
            services.edit_activity(activity, actor=request.user, values=values)
        except services.InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect(activity.get_absolute_url())
    return render(request, "collab/activity_edit.html", {"activity": activity, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def activity_pin(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible_activity(request, pk)
    if not _may_change(request.user, activity) or activity.kind != ActivityKind.NOTE:
        raise PermissionDenied
    services.set_pinned(activity, actor=request.user, pinned=request.POST.get("pinned") == "1")
    back = request.POST.get("next", "") if _safe_next(request) else ""
    return redirect(back or activity.get_absolute_url())


def _safe_next(request: HttpRequest) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    return url_has_allowed_host_and_scheme(request.POST.get("next", ""),
                                           allowed_hosts={request.get_host()})


@login_required
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible_activity(request, pk)
    if not _may_change(request.user, activity):
        raise PermissionDenied
    if request.method == "POST":
        records = queries.linked_records(activity, request.user)
        services.delete_activity(activity, actor=request.user)
        messages.success(request, _("%(kind)s deleted.") % {"kind": activity.get_kind_display()})
        return redirect(records[0].get_absolute_url() if records else "/")
    return render(request, "collab/activity_delete.html", {"activity": activity})
