"""Record forms, built from an object type's core fields plus its active custom properties."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms import modelform_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clarion.core.permissions import visible_to
from clarion.core.properties.forms import PropertyFormMixin, active_definitions
from clarion.crm.models import Company, Contact, Pipeline, Stage
from clarion.crm.objects import ObjectType
from clarion.crm.pickers import limit_choices
from clarion.crm.zones import time_zone_choices


class RecordForm(PropertyFormMixin, forms.ModelForm):
    """Validates a record's values; saving goes through `crm.services`, never `form.save()`."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_lifecycle_backward = forms.BooleanField(
        required=False, label=_("Yes, move the lifecycle stage back"))

    def __init__(self, *args, object_type: ObjectType, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.object_type = object_type
        self.user = user
        self._limit_choices()
        self.add_property_fields(active_definitions(object_type.name),
                                 self.instance.properties or {})
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        else:
            del self.fields["version"]
            self.initial.setdefault("owner", user.pk)

    @property
    def core_fields(self) -> list:
        return [self[name] for name in self.object_type.form_fields if name in self.fields]

    def _limit_choices(self) -> None:
        users = get_user_model().objects.filter(is_active=True).order_by("first_name", "email")
        if "owner" in self.fields:
            self.fields["owner"].queryset = users
        if "company" in self.fields:
            limit_choices(self.fields["company"],
                          visible_to(self.user, Company.objects.only("id", "name", "created_at")
                                     ).order_by("name"),
                          selected=[self._chosen("company")], type_name="company",
                          name=self.add_prefix("company"))
        if "contacts" in self.fields:
            limit_choices(self.fields["contacts"], visible_to(self.user, Contact.objects.only(
                "id", "first_name", "last_name", "email", "created_at")),
                selected=self._chosen_many("contacts"), type_name="contact",
                name=self.add_prefix("contacts"))
            self.fields["contacts"].widget.attrs["size"] = 6
        if "pipeline" in self.fields:
            self._limit_stages()
        if "time_zone" in self.fields:
            self.fields["time_zone"] = forms.ChoiceField(
                label=self.fields["time_zone"].label, required=False,
                choices=[("", _("Not known")), *time_zone_choices()],
                help_text=_("Campaigns sent at a local time arrive at that time here."))

    def _chosen(self, name: str) -> int | None:
        value = (self.data.get(self.add_prefix(name)) if self.is_bound
                 else self.initial.get(name, getattr(self.instance, f"{name}_id", None)))
        return int(value) if str(value or "").isdigit() else None

    def _chosen_many(self, name: str) -> list[int]:
        if self.is_bound:
            values = self.data.getlist(self.add_prefix(name)) if hasattr(
                self.data, "getlist") else self.data.get(self.add_prefix(name), [])
        elif self.instance.pk:
            values = list(getattr(self.instance, name).values_list("pk", flat=True))
        else:
            values = self.initial.get(name, [])
        return [int(v) for v in values if str(v).isdigit()]

    def _limit_stages(self) -> None:
        pipeline_id = (self.data.get(self.add_prefix("pipeline")) or self.instance.pipeline_id
                       or self.initial.get("pipeline"))
        if not pipeline_id:
            default = Pipeline.objects.order_by("-is_default", "position", "id").first()
            pipeline_id = default.pk if default else None
            self.initial["pipeline"] = pipeline_id
        stages = Stage.objects.filter(pipeline_id=pipeline_id) if str(pipeline_id).isdigit() \
            else Stage.objects.none()
        self.fields["stage"].queryset = stages
        self.fields["pipeline"].empty_label = None
        self.fields["pipeline"].widget.attrs.update({
            "hx-get": reverse("crm:stage_options"), "hx-target": "#id_stage",
            "hx-swap": "innerHTML", "hx-trigger": "change"})
        self.fields["stage"].empty_label = None

    def clean_email(self):
        email = self.cleaned_data.get("email", "")
        if email and Contact.objects.filter(email__iexact=email).exclude(
                Q(pk=self.instance.pk) if self.instance.pk else Q()).exists():
            raise forms.ValidationError(_("Email: another contact already has this address."))
        return email

    def clean(self):
        cleaned = super().clean()
        stage, pipeline = cleaned.get("stage"), cleaned.get("pipeline")
        if stage and pipeline and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("Stage: choose a stage of the selected pipeline."))
        self.clean_properties(unique_among=self.object_type.model.objects,
                              exclude_pk=self.instance.pk)
        return cleaned

    def values(self) -> dict:
        """Core and custom values for `create_record`/`update_record`."""
        core = {name: self.cleaned_data[name] for name in self.object_type.form_fields
                if name in self.cleaned_data}
        if "contacts" in core:
            core["contacts"] = list(core["contacts"])
        return {**core, **self.cleaned_properties}


def record_form_class(object_type: ObjectType) -> type[RecordForm]:
    return modelform_factory(object_type.model, form=RecordForm,
                             fields=list(object_type.form_fields))


def record_form(object_type: ObjectType, *, user, data=None, instance=None) -> RecordForm:
    form_class = record_form_class(object_type)
    return form_class(data=data, instance=instance, object_type=object_type, user=user)


class AssociationForm(forms.Form):
    """Adds one record of another type to a record's associations."""

    other = forms.IntegerField(widget=forms.HiddenInput)
