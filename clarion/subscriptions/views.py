"""Staff pages: Settings → Subscription types, Email → Suppressed addresses, and changing a
contact's subscriptions from the contact page (thin views over services and queries)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.core.permissions import can, capability_required, has_capability, visible_to
from clarion.crm.models import Contact
from clarion.subscriptions import queries, services
from clarion.subscriptions.forms import (
    ContactSubscriptionForm,
    SubscriptionTypeForm,
    SuppressionForm,
)
from clarion.subscriptions.models import ConsentRecord, Subscription, SubscriptionType, Suppression
from clarion.subscriptions.ui import panel_context

manage_settings = capability_required("settings.manage")
manage_marketing = capability_required("marketing.manage")
PAGE_SIZE = 50


# --- Settings → Subscription types ----------------------------------------------------------

@manage_settings
def type_list(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/types.html", {"types": queries.types_with_counts()})


@manage_settings
def type_create(request: HttpRequest) -> HttpResponse:
    form = SubscriptionTypeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        kind = services.create_type(**form.cleaned_data)
        messages.success(request, _("Subscription type “%(name)s” created.") % {
            "name": kind.name})
        return redirect("subscriptions:types")
    return render(request, "subscriptions/type_form.html", {"form": form},
                  status=400 if form.is_bound else 200)


@manage_settings
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(queries.types_with_counts(), pk=pk)
    form = SubscriptionTypeForm(request.POST if request.method == "POST" else None,
                                instance=SubscriptionType.objects.get(pk=pk))
    if form.is_valid():
        services.update_type(kind, **form.cleaned_data)
        messages.success(request, _("Subscription type “%(name)s” saved.") % {
            "name": kind.name})
        return redirect("subscriptions:types")
    return render(request, "subscriptions/type_form.html", {"form": form, "kind": kind},
                  status=400 if form.is_bound else 200)


@manage_settings
@require_POST
def type_archive(request: HttpRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(SubscriptionType, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.archive_type(kind, archived=archived)
    if archived:
        messages.success(request, _("“%(name)s” is archived.") % {"name": kind.name})
    else:
        messages.success(request, _("“%(name)s” is back in use.") % {"name": kind.name})
    return redirect("subscriptions:types")


@manage_settings
@require_POST
def type_delete(request: HttpRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(SubscriptionType, pk=pk)
    try:
        services.delete_type(kind)
    except services.TypeInUse as error:
        messages.error(request, str(error))
        return redirect("subscriptions:types")
    messages.success(request, _("Subscription type “%(name)s” deleted.") % {"name": kind.name})
    return redirect("subscriptions:types")


# --- Email → Suppressed addresses -----------------------------------------------------------

@manage_marketing
def suppression_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:254]
    form = SuppressionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        address = form.cleaned_data["email"]
        if queries.is_suppressed(address):
            messages.info(request, _("%(email)s is already suppressed.") % {"email": address})
        else:
            services.suppress(address, Suppression.Reason.MANUAL,
                              detail=form.cleaned_data["detail"], actor=request.user)
            messages.success(request, _("%(email)s will get no more email.") % {
                "email": address})
        return redirect("subscriptions:suppressions")
    page = Paginator(queries.suppression_list(search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "subscriptions/suppressions.html", {
        "page": page, "search": search, "form": form, "current_section": "email"},
        status=400 if form.is_bound else 200)


@manage_marketing
def suppression_remove(request: HttpRequest, pk: int) -> HttpResponse:
    suppression = get_object_or_404(Suppression, pk=pk)
    if request.method == "POST":
        services.unsuppress(suppression.email, actor=request.user)
        messages.success(request, _("%(email)s can receive email again.") % {
            "email": suppression.email})
        return redirect("subscriptions:suppressions")
    return render(request, "subscriptions/suppression_remove.html", {
        "suppression": suppression, "current_section": "email"})


# --- A contact's subscriptions, by hand -----------------------------------------------------

@login_required
def contact_subscription(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the contact page's "Email subscriptions" card (its own page without htmx), for
    whoever may see the contact. POST: change it — marketing users who may edit the
    contact."""
    contact = get_object_or_404(visible_to(request.user, Contact.objects.all()), pk=pk)
    if request.method == "POST":
        return _change_contact_subscription(request, contact)
    panel = panel_context(request, contact)
    if request.htmx:
        return render(request, "subscriptions/panel_body.html", {"panel": panel})
    return render(request, "subscriptions/contact_subscriptions.html", {
        "panel": panel, "current_section": "contacts"})


def _change_contact_subscription(request: HttpRequest, contact: Contact) -> HttpResponse:
    if not (has_capability(request.user, "marketing.manage")
            and can(request.user, "edit", contact)):
        raise PermissionDenied
    action = request.POST.get("action", "set")
    method = ConsentRecord.Method.MANUAL
    if action == "suppress":
        if contact.email:
            services.suppress(contact.email, Suppression.Reason.MANUAL, actor=request.user)
    elif action == "unsuppress":
        services.unsuppress(contact.email, actor=request.user)
    else:
        form = ContactSubscriptionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a subscription type and a status."))
            return redirect(contact.get_absolute_url())
        kind, status = form.cleaned_data["subscription_type"], form.cleaned_data["status"]
        # "Subscribed" set by hand is the user vouching for consent given elsewhere (on
        # paper, by phone), recorded with their name; "awaiting confirmation" emails the
        # contact a confirmation link.
        services.set_status(contact, kind, status, method=method, actor=request.user,
                            origin=services.Origin.of(request), confirmed=True)
        if status == Subscription.Status.PENDING:
            messages.success(request, _("A confirmation email is on its way to %(email)s.")
                             % {"email": contact.email})
        else:
            messages.success(request, _("Subscription to “%(name)s” saved.") % {
                "name": kind.name})
    return redirect(contact.get_absolute_url())


@manage_marketing
def consent_log(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    if not can(request.user, "view", contact):
        raise PermissionDenied
    page = Paginator(queries.consent_log(contact), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subscriptions/consent_log.html", {
        "contact": contact, "page": page, "current_section": "contacts"})
