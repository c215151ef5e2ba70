"""Form fields for custom properties: one typed field per active PropertyDefinition, grouped
by the definition's `group`. The fields parse what a browser sends; the rules (required,
unique, options, min/max, pattern) are checked by `validation.clean_property_values`, so the
API and the importer apply exactly the same ones."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clarion.core.properties.models import PropertyDefinition, PropertyType
from clarion.core.properties.validation import clean_property_values

FIELD_PREFIX = "p_"  # custom fields never collide with core column names


def _choices(definition: PropertyDefinition, blank: bool) -> list[tuple[str, str]]:
    options = [(option["value"], option["label"]) for option in definition.options]
    return [("", "—"), *options] if blank else options


def form_field_for(definition: PropertyDefinition) -> forms.Field:
    """A typed, not-yet-validating form field for `definition` (validation is done after)."""
    common = {"label": definition.label, "help_text": definition.description,
              "required": False}
    kind = definition.type
    if kind == PropertyType.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in (PropertyType.NUMBER, PropertyType.CURRENCY):
        attrs = {"step": "0.01" if kind == PropertyType.CURRENCY else "any"}
        return forms.CharField(widget=forms.NumberInput(attrs=attrs), **common)
    if kind == PropertyType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == PropertyType.DATETIME:
        return forms.CharField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                               **common)
    if kind == PropertyType.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == PropertyType.SELECT:
        return forms.ChoiceField(choices=_choices(definition, blank=True), **common)
    if kind == PropertyType.MULTISELECT:
        return forms.MultipleChoiceField(choices=_choices(definition, blank=False),
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == PropertyType.EMAIL:
        return forms.CharField(widget=forms.EmailInput, **common)
    if kind == PropertyType.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}), **common)
    if kind == PropertyType.URL:
        return forms.CharField(widget=forms.URLInput, **common)
    return forms.CharField(**common)


def _initial(definition: PropertyDefinition, value):
    if value is None:
        return None
    if definition.type == PropertyType.DATETIME:
        return str(value)[:16]
    return value


@dataclass
class PropertyGroup:
    title: str
    fields: list = field(default_factory=list)   # bound fields


class PropertyFormMixin:
    """Adds the custom property fields of `definitions` to a Django form.

    After `is_valid()`, `cleaned_properties` holds the validated values by property name;
    errors appear on the property's own field, with messages naming the property."""

    property_definitions: list[PropertyDefinition]

    def add_property_fields(self, definitions: Iterable[PropertyDefinition],
                            values: dict) -> None:
        self.property_definitions = [d for d in definitions if not d.archived]
        for definition in self.property_definitions:
            name = FIELD_PREFIX + definition.name
            self.fields[name] = form_field_for(definition)
            if definition.required:
                self.fields[name].widget.attrs["aria-required"] = "true"
                self.fields[name].label_suffix = " *"
            self.initial[name] = _initial(definition, values.get(definition.name))
        self.cleaned_properties: dict = {}

    def clean_properties(self, *, unique_among: QuerySet | None, exclude_pk=None) -> None:
        raw = {d.name: self.cleaned_data.get(FIELD_PREFIX + d.name)
               for d in self.property_definitions}
        try:
            self.cleaned_properties = clean_property_values(
                self.property_definitions, raw, unique_among=unique_among,
                exclude_pk=exclude_pk)
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(FIELD_PREFIX + name, messages)

    def property_groups(self) -> list[PropertyGroup]:
        groups: dict[str, PropertyGroup] = {}
        for definition in self.property_definitions:
            title = definition.group or str(_("Other properties"))
            groups.setdefault(title, PropertyGroup(title)).fields.append(
                self[FIELD_PREFIX + definition.name])
        return list(groups.values())


def active_definitions(object_type: str) -> list[PropertyDefinition]:
    return list(PropertyDefinition.objects.filter(object_type=object_type, archived=False))


class PropertyDefinitionForm(forms.Form):
    """The settings form for one custom property."""

    label = forms.CharField(label=_("Label"), max_length=120)
    name = forms.CharField(
        label=_("Internal name"), max_length=63, required=False,
        help_text=_("Used by the API, imports and filters. Left empty, it is made from the "
                    "label. It can't change later."))
    type = forms.ChoiceField(label=_("Type"), choices=PropertyType.choices)
    group = forms.CharField(label=_("Group"), max_length=80, required=False,
                            help_text=_("Properties of one group are shown together."))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    options = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For dropdowns and checkboxes: one option per line. Write “value | "
                    "Label” to set the stored value yourself; keep the value when you rename "
                    "an option."))
    required = forms.BooleanField(label=_("Required"), required=False)
    unique = forms.BooleanField(label=_("Unique: no two records may have the same value"),
                                required=False)
    minimum = forms.DecimalField(label=_("Minimum"), required=False,
                                 help_text=_("For numbers and currency amounts."))
    maximum = forms.DecimalField(label=_("Maximum"), required=False)
    pattern = forms.CharField(
        label=_("Pattern"), required=False, max_length=200,
        help_text=_("For text: a regular expression the whole value must match, e.g. "
                    "[A-Z]{2}[0-9]{4}."))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("name", "type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Can't change once the property exists.")

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("minimum"), cleaned.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", _("Maximum: must not be below the minimum."))
        return cleaned

    def validation_rules(self) -> dict:
        rules = {"min": self.cleaned_data.get("minimum"), "max": self.cleaned_data.get(
            "maximum"), "pattern": self.cleaned_data.get("pattern") or None}
        return {key: (str(value) if key != "pattern" else value)
                for key, value in rules.items() if value is not None}

    @classmethod
    def initial_for(cls, definition: PropertyDefinition) -> dict:
        from clarion.core.properties.services import options_text

        rules = definition.validation or {}
        return {"label": definition.label, "name": definition.name, "type": definition.type,
                "group": definition.group, "description": definition.description,
                "options": options_text(definition.options), "required": definition.required,
                "unique": definition.unique, "minimum": rules.get("min"),
                "maximum": rules.get("max"), "pattern": rules.get("pattern", "")}
