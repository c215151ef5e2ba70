"""Sender identity pages: list, create, edit (with DKIM key generation and the DNS records to
publish), make default, delete. Needs the `settings.manage` capability."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clarion.core.permissions import capability_required
from clarion.sending import queries, services
from clarion.sending.forms import SenderForm
from clarion.sending.models import SenderIdentity

manage_settings = capability_required("settings.manage")


@manage_settings
def sender_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sending/senders.html", {"senders": queries.senders_with_use()})


@never_cache
@manage_settings
@require_http_methods(["GET", "POST"])
def sender_create(request: HttpRequest) -> HttpResponse:
    form = SenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sender = services.save_sender(form.save(commit=False), private_key=form.key_change())
        messages.success(request, _("The sender “%(name)s” was added.") % {"name": sender.name})
        return redirect("sending:sender_edit", sender.pk)
    return render(request, "sending/sender_form.html", {"form": form},
                  status=422 if form.errors else 200)


@never_cache
@manage_settings
@require_http_methods(["GET", "POST"])
def sender_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sender = get_object_or_404(SenderIdentity, pk=pk)
    form = SenderForm(request.POST or None, instance=sender)
    if request.method == "POST" and form.is_valid():
        services.save_sender(form.save(commit=False), private_key=form.key_change())
        messages.success(request, _("The sender was saved."))
        return redirect("sending:sender_edit", sender.pk)
    return render(request, "sending/sender_form.html",
                  {"form": form, "sender": sender, "records": queries.dns_records(sender)},
                  status=422 if form.errors else 200)


@manage_settings
@require_POST
def sender_generate_key(request: HttpRequest, pk: int) -> HttpResponse:
    sender = services.generate_dkim_key(get_object_or_404(SenderIdentity, pk=pk))
    messages.success(request, _("A new DKIM key was generated. Publish the DNS record below; "
                                "until you do, receivers cannot check the signature."))
    return redirect("sending:sender_edit", sender.pk)


@manage_settings
@require_POST
def sender_default(request: HttpRequest, pk: int) -> HttpResponse:
    sender = get_object_or_404(SenderIdentity, pk=pk)
    sender.is_default = True
    services.save_sender(sender)
    return redirect("sending:senders")


@manage_settings
@require_POST
def sender_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sender = get_object_or_404(SenderIdentity, pk=pk)
    try:
        services.delete_sender(sender)
    except services.SendError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The sender “%(name)s” was deleted.") % {"name": sender.name})
    return redirect("sending:senders")
