"""The notification centre: the list, marking read, the bell and the preferences page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.notifications import queries, services
from clarion.notifications.models import Channel, Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notifications, next_cursor = queries.page_of(request.user, unread_only=unread_only,
                                                 cursor=request.GET.get("cursor", ""))
    return render(request, "notifications/list.html", {
        "notifications": notifications, "next_cursor": next_cursor,
        "unread_only": unread_only, "unread": services.unread_count(request.user)})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then follow the notification's link (or back to the list)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(notification, user=request.user)
    if notification.url and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(notification, user=request.user)
    if request.htmx:
        return render(request, "notifications/item.html", {"notification": notification})
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    messages.success(request, _("All notifications marked as read.") if count
                     else _("There were no unread notifications."))
    return redirect("notifications:list")


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for the shell to refresh its count."""
    return render(request, "notifications/bell.html", {})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows = queries.preference_rows(request.user)
    if request.method == "POST":
        for row in rows:
            channel = request.POST.get(f"kind-{row.kind.name}", "")
            if channel in Channel.values and channel != row.channel:
                services.set_preference(user=request.user, kind=row.kind.name, channel=channel)
        messages.success(request, _("Notification preferences saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {
        "rows": rows, "channels": Channel.choices})


# --- Activity feed ----------------------------------------------------------------------------


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    from clarion.notifications.activity import feed_page
    from clarion.notifications.forms import ActivityFilterForm

    if getattr(request.user, "is_guest", False):
        raise Http404
    form = ActivityFilterForm(request.GET or None, user=request.user)
    filters = (form if form.is_bound else ActivityFilterForm({}, user=request.user))
    entries, next_cursor = feed_page(request.user, filters.activity_filter(),
                                     cursor=request.GET.get("cursor", ""))
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "notifications/activity.html", {
        "form": form, "entries": entries, "next_cursor": next_cursor,
        "query": query.urlencode(), "current_section": "tasks"})
