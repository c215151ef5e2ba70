"""What a guest's requests may reach, and the audit log of each one.

Record visibility for guests is decided in `core.permissions` (they see only what was shared
with them). This middleware adds the guest's minimal shell on top: pages that are about
the whole workspace (lists, boards, search, settings, the activity feed…) answer 404, the
home page is "Shared with me", and every page of a shared object and every refusal is
written to the audit log."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from clarion.accounts.guests import record_audit
from clarion.accounts.models import AuditEntry
from clarion.core.http import client_ip
from clarion.core.permissions import is_guest

# URL namespaces a guest may use at all; inside them, permissions decide per object.
GUEST_NAMESPACES = {"crm", "notifications", "accounts", "collab", "tasks"}
# Pages in those namespaces that are about the workspace rather than one shared object.
CLOSED_TO_GUESTS = ("_list", "_create", "stage_options", "properties", "property_create",
                    "property_edit", "property_archive", "activity", "guest_share",
                    "guest_revoke", "audit_log", "mention_search")
# Of the task pages, a guest only opens a shared task (completing or editing is work).
GUEST_TASK_PAGES = {"detail"}
# Settings pages about one's own account.
OWN_SETTINGS = {"index", "security", "profile", "password", "two_factor_enable",
                "two_factor_disable", "recovery_codes"}
UNLOGGED_PREFIXES = ("/static/", "/i18n/", "/healthz", "/notifications/bell/")


def guest_may_open(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return True
    namespace, name = match.namespace, match.url_name or ""
    if namespace == "core":
        return False
    if namespace == "settings":
        return name in OWN_SETTINGS
    if namespace == "tasks":
        return name in GUEST_TASK_PAGES
    if namespace not in GUEST_NAMESPACES and name != "set_language":
        return False
    return not any(name.endswith(closed) for closed in CLOSED_TO_GUESTS)


def _target(request: HttpRequest):
    """The record or task a page is about, from its URL: CRM and collaboration pages name
    it by `type_name` and `pk`, task pages by `pk`."""
    from django.apps import apps

    from clarion.crm.objects import OBJECT_TYPES

    match = request.resolver_match
    kwargs = match.kwargs if match else {}
    type_name = kwargs.get("type_name") or ("task" if match and match.namespace == "tasks"
                                            else "")
    if type_name in OBJECT_TYPES:
        model = OBJECT_TYPES[type_name].model
    elif type_name == "task" and apps.is_installed("clarion.tasks"):
        model = apps.get_model("tasks", "Task")
    else:
        return None
    if not isinstance(kwargs.get("pk"), int):
        return None
    return model._default_manager.filter(pk=kwargs["pk"]).first()


def _audit(request: HttpRequest, response: HttpResponse) -> None:
    if request.path.startswith(UNLOGGED_PREFIXES):
        return
    if response.status_code in (403, 404):
        action = AuditEntry.Action.DENIED
    elif request.method in ("GET", "HEAD"):
        action = AuditEntry.Action.VIEWED
    else:
        action = AuditEntry.Action.CHANGED
    target = _target(request)
    if action == AuditEntry.Action.VIEWED and target is None:
        return  # only pages of a shared object, not the guest's own pages
    record_audit(actor=request.user, action=action, target=target, path=request.path,
                 ip=client_ip(request))


class GuestAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_guest(getattr(request, "user", None)):
            return self.get_response(request)
        response = self.get_response(request)
        _audit(request, response)
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs):
        if not is_guest(getattr(request, "user", None)):
            return None
        if request.path == "/":
            return redirect("notifications:shared_with_me")
        if not guest_may_open(request):
            raise Http404
        return None

