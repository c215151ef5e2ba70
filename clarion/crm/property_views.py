"""Settings pages for custom properties (capability `settings.manage`): list per record type,
create, edit, archive and restore."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.core.permissions import capability_required
from clarion.core.properties import services
from clarion.core.properties.forms import PropertyDefinitionForm
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.objects import OBJECT_TYPES, get_object_type

manage_settings = capability_required("settings.manage")


@manage_settings
def property_list(request: HttpRequest) -> HttpResponse:
    type_name = request.GET.get("type", "contact")
    object_type = get_object_type(type_name)
    definitions = PropertyDefinition.objects.filter(object_type=type_name)
    groups: dict[str, list] = {}
    for definition in definitions:
        groups.setdefault(definition.group, []).append(definition)
    return render(request, "settings/properties.html", {
        "object_types": OBJECT_TYPES.values(), "object_type": object_type,
        "groups": sorted(groups.items())})


def _values(form: PropertyDefinitionForm) -> dict:
    data = form.cleaned_data
    return {"label": data["label"], "group": data["group"],
            "description": data["description"],
            "options": services.parse_options(data["options"]),
            "required": data["required"], "unique": data["unique"],
            "validation": form.validation_rules()}


def _add_errors(form: PropertyDefinitionForm, error: ValidationError) -> None:
    fields = {"pattern", "options", "name", "label"}
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in fields else None, messages_)


@manage_settings
def property_create(request: HttpRequest, type_name: str) -> HttpResponse:
    object_type = get_object_type(type_name)
    form = PropertyDefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_property(actor=request.user, object_type=type_name,
                                     type=form.cleaned_data["type"],
                                     name=form.cleaned_data["name"], **_values(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Property “%(label)s” created.")
                             % {"label": form.cleaned_data["label"]})
            return redirect(f"{_list_url()}?type={type_name}")
    return render(request, "settings/properties_form.html",
                  {"form": form, "object_type": object_type},
                  status=400 if form.errors else 200)


@manage_settings
def property_edit(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(PropertyDefinition, pk=pk)
    object_type = get_object_type(definition.object_type)
    form = PropertyDefinitionForm(request.POST or None, editing=True,
                                  initial=PropertyDefinitionForm.initial_for(definition))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_property(definition, actor=request.user, **_values(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Property “%(label)s” saved.")
                             % {"label": definition.label})
            return redirect(f"{_list_url()}?type={definition.object_type}")
    return render(request, "settings/properties_form.html",
                  {"form": form, "object_type": object_type, "definition": definition},
                  status=400 if form.errors else 200)


@manage_settings
@require_POST
def property_archive(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(PropertyDefinition, pk=pk)
    archived = request.POST.get("archived") != "0"
    services.set_archived(definition, actor=request.user, archived=archived)
    text = (_("Property “%(label)s” archived; its values are kept.") if archived
            else _("Property “%(label)s” restored."))
    messages.success(request, text % {"label": definition.label})
    return redirect(f"{_list_url()}?type={definition.object_type}")


def _list_url() -> str:
    from django.urls import reverse

    return reverse("crm:properties")
