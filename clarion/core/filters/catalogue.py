"""The fields a filter may name on one record type: the model's columns plus the custom
properties defined for it (PropertyDefinition rows), each with a type that decides its
operators and values. Generic: any model with `properties` and an owner works."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import ForeignObjectRel

from clarion.core.properties.models import PropertyDefinition, PropertyType

TEXT_TYPES = {"text", "textarea", "email", "phone", "url"}
NUMBER_TYPES = {"number", "currency"}
DATE_TYPES = {"date", "datetime"}

OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "neq", "contains", "not_contains", "starts_with", "ends_with", "in",
             "not_in", "is_empty", "is_not_empty"),
    "number": ("eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", "is_empty",
               "is_not_empty"),
    "date": ("eq", "before", "after", "between", "within_last_days", "is_empty",
             "is_not_empty"),
    "boolean": ("is_true", "is_false", "is_empty", "is_not_empty"),
    "select": ("eq", "neq", "in", "not_in", "is_empty", "is_not_empty"),
    "multiselect": ("has_any", "has_all", "has_none", "is_empty", "is_not_empty"),
    "user": ("is", "is_not", "in", "not_in", "is_empty", "is_not_empty"),
    "reference": ("is", "is_not", "in", "not_in", "is_empty", "is_not_empty"),
}

# Columns that are bookkeeping, not something a person filters on.
HIDDEN_COLUMNS = {"id", "properties", "version", "board_position"}


def operator_family(field_type: str) -> str:
    """The operator set of a field type ("email" filters like "text")."""
    if field_type in TEXT_TYPES:
        return "text"
    if field_type in NUMBER_TYPES:
        return "number"
    if field_type in DATE_TYPES:
        return "date"
    return field_type


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # a PropertyType value, or "user" / "reference"
    custom: bool = False
    options: tuple[tuple[str, str], ...] = ()
    related_model: type[models.Model] | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[operator_family(self.type)]

    @property
    def family(self) -> str:
        return operator_family(self.type)


@dataclass(frozen=True)
class Association:
    """A relation to another record type that a filter can look through."""

    name: str
    label: str
    model: type[models.Model]
    relation: object = field(repr=False)


@dataclass
class Catalogue:
    model: type[models.Model]
    object_type: str
    fields: dict[str, Field]
    associations: dict[str, Association]
    _through: dict = field(default_factory=dict, repr=False)

    def through(self, association: str) -> "Catalogue":
        """The catalogue of the record type behind `association`, built once."""
        if association not in self._through:
            self._through[association] = build_catalogue(self.associations[association].model)
        return self._through[association]


def is_record_model(model) -> bool:
    return hasattr(model, "capability_area")


def _column_type(model_field: models.Field) -> str:
    if model_field.choices:
        return "select"
    if isinstance(model_field, models.EmailField):
        return "email"
    if isinstance(model_field, models.URLField):
        return "url"
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.DecimalField):
        return "currency"
    if isinstance(model_field, models.IntegerField | models.FloatField):
        return "number"
    if isinstance(model_field, models.TextField):
        return "textarea"
    return "text"


def _column(model_field: models.Field) -> Field | None:
    label = str(model_field.verbose_name)
    if model_field.many_to_one:
        related = model_field.related_model
        if related._meta.label == settings.AUTH_USER_MODEL:
            return Field(model_field.name, label, "user", related_model=related)
        return Field(model_field.name, label, "reference", related_model=related)
    if isinstance(model_field, models.JSONField | models.AutoField):
        return None
    options = tuple((str(value), str(text)) for value, text in model_field.choices or ())
    return Field(model_field.name, label, _column_type(model_field), options=options)


def _custom(definition: PropertyDefinition) -> Field:
    options = tuple((str(o["value"]), str(o.get("label", o["value"])))
                    for o in definition.options or ())
    return Field(definition.name, definition.label, definition.type, custom=True,
                 options=options)


def _associations(model) -> dict[str, Association]:
    found = {}
    for relation in model._meta.get_fields():
        if not relation.is_relation or not is_record_model(relation.related_model):
            continue
        reverse = isinstance(relation, ForeignObjectRel)
        name = relation.get_accessor_name() if reverse else relation.name
        label = (relation.related_model._meta.verbose_name_plural if reverse
                 else relation.verbose_name)
        found[name] = Association(name, str(label), relation.related_model, relation)
    return found


def build_catalogue(model: type[models.Model], object_type: str | None = None) -> Catalogue:
    """Every filterable field of `model` (columns first, then custom properties) and the
    record types reachable through its relations."""
    object_type = object_type or model._meta.model_name
    fields: dict[str, Field] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.name in HIDDEN_COLUMNS:
            continue
        column = _column(model_field)
        if column:
            fields[column.name] = column
    definitions = PropertyDefinition.objects.filter(object_type=object_type, archived=False)
    for definition in definitions:
        if definition.name not in fields and definition.type in PropertyType.values:
            fields[definition.name] = _custom(definition)
    return Catalogue(model, object_type, fields, _associations(model))
