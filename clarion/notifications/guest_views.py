"""Guest collaborators' pages: "Shared with me" for the guest, the sharing card and its
actions on record pages, and the audit log under settings."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.accounts import guests
from clarion.accounts.models import AuditEntry, GuestGrant
from clarion.core.permissions import can, capability_required, is_guest, visible_to
from clarion.crm.objects import get_object_type
from clarion.notifications.forms import GuestInviteForm
from clarion.notifications.services import notify

AUDIT_PAGE_SIZE = 50


@login_required
def shared_with_me(request: HttpRequest) -> HttpResponse:
    """A guest's home: what was shared with them (targets they can still open)."""
    grants = list(guests.active_grants(request.user))
    prefetch_related_objects(grants, "target")
    items = [grant for grant in grants if grant.target is not None]
    return render(request, "notifications/shared_with_me.html", {"grants": items})


def notify_guest_of_share(grant: GuestGrant) -> None:
    """The guest also finds what was shared under the bell (the email was sent already)."""
    actor, target = grant.granted_by, grant.target
    notify(grant.user, "guest.shared", actor=actor, target=target,
           title=lambda: _("%(actor)s shared “%(record)s” with you") % {
               "actor": str(actor), "record": target},
           dedupe_key=f"guest-grant:{grant.pk}")


def share_panel_context(request: HttpRequest, object_type, record) -> dict | None:
    """The "Share with a guest" card on record pages, for people who may edit the record."""
    if not may_share(request.user, record):
        return None
    return {"record": record, "object_type": object_type,
            "grants": list(guests.grants_on(record)), "form": GuestInviteForm()}


def may_share(user, target) -> bool:
    """Sharing needs the right to edit the record (for a task: to work on it)."""
    if is_guest(user):
        return False
    if hasattr(type(target), "capability_area"):
        return can(user, "edit", target)
    if target._meta.label == "tasks.Task":
        from clarion.tasks.queries import tasks_visible_to

        return tasks_visible_to(user).filter(pk=target.pk).exists()
    return False


def _shareable(request: HttpRequest, type_name: str, pk: int):
    """The record or task to share, 404 when the user can't see it, 403 when they may not
    share it."""
    if type_name == "task" and apps.is_installed("clarion.tasks"):
        from clarion.tasks.queries import tasks_visible_to

        target = get_object_or_404(tasks_visible_to(request.user), pk=pk)
        label = target._meta.verbose_name
    else:
        object_type = get_object_type(type_name)
        target = get_object_or_404(visible_to(request.user, object_type.queryset()), pk=pk)
        label = object_type.verbose_name
    if not may_share(request.user, target):
        raise PermissionDenied
    return target, label


@login_required
@require_POST
def guest_share(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    target, label = _shareable(request, type_name, pk)
    form = GuestInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the guest's email address."))
        return redirect(target.get_absolute_url())
    try:
        grant = guests.share_with_guest(actor=request.user, target=target,
                                        email=form.cleaned_data["email"],
                                        first_name=form.cleaned_data["first_name"])
    except guests.GuestAccessError as error:
        messages.error(request, error.message)
    else:
        notify_guest_of_share(grant)
        messages.success(request, _("%(email)s can now open this %(type)s; we emailed them "
                                    "the link.") % {"email": form.cleaned_data["email"],
                                                    "type": label})
    return redirect(target.get_absolute_url())


@login_required
@require_POST
def guest_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(GuestGrant, pk=pk, revoked_at__isnull=True)
    target = grant.target
    if target is None:
        raise Http404
    if not may_share(request.user, target):
        raise PermissionDenied
    guests.revoke_guest_access(actor=request.user, grant=grant)
    messages.success(request, _("%(email)s can no longer open this record.")
                     % {"email": grant.user.email})
    return redirect(target.get_absolute_url())


@capability_required("users.manage")
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.select_related("actor", "target_type")
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/audit_log.html", {
        "page": page, "action": action, "actions": AuditEntry.Action.choices})
