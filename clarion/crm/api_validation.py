"""Checking custom property values sent to the API against their PropertyDefinitions.

A minimal stand-in until `clarion.core.properties.validation` exists: unknown or archived
names, wrong types, options outside a select's list, min/max/pattern rules and required
properties are refused with a message naming the property.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from clarion.core.properties.models import PropertyDefinition, PropertyType

TEXT_TYPES = {PropertyType.TEXT, PropertyType.TEXTAREA, PropertyType.PHONE}


def validate_properties(object_type: str, values: dict, *, creating: bool) -> dict:
    """The cleaned custom values, or ValidationError with one entry per bad property
    (`body.properties.<name>`)."""
    definitions = {d.name: d for d in PropertyDefinition.objects.filter(
        object_type=object_type, archived=False)}
    cleaned, errors = {}, {}
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is None:
            errors[f"body.properties.{name}"] = [
                _("Unknown property “%(name)s” for %(type)s.") % {"name": name,
                                                                   "type": object_type}]
            continue
        try:
            cleaned[name] = clean_value(definition, value)
        except ValidationError as error:
            errors[f"body.properties.{name}"] = error.messages
    if creating:
        for name, definition in definitions.items():
            if definition.required and cleaned.get(name) in (None, "", []):
                errors[f"body.properties.{name}"] = [_("This property is required.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_value(definition: PropertyDefinition, value):
    """One value converted to what the JSON column stores, or ValidationError."""
    if value is None or value == "":
        if definition.required:
            raise ValidationError(_("This property is required."))
        return None
    cleaner = CLEANERS.get(definition.type, _clean_text)
    cleaned = cleaner(definition, value)
    _check_rules(definition, cleaned)
    return cleaned


def _clean_text(definition, value):
    if not isinstance(value, str):
        raise ValidationError(_("Enter text."))
    return value


def _clean_number(definition, value):
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    return int(number) if number == number.to_integral_value() else float(number)


def _clean_boolean(definition, value):
    if not isinstance(value, bool):
        raise ValidationError(_("Enter true or false."))
    return value


def _clean_date(definition, value):
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


def _clean_datetime(definition, value):
    try:
        return datetime.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError(_("Enter a date and time in ISO 8601 format.")) from None


def _clean_select(definition, value):
    if value not in definition.option_values:
        raise ValidationError(_("“%(value)s” is not one of the options.") % {"value": value})
    return value


def _clean_multiselect(definition, value):
    if not isinstance(value, list):
        raise ValidationError(_("Enter a list of options."))
    for item in value:
        _clean_select(definition, item)
    return value


def _clean_email(definition, value):
    validate_email(_clean_text(definition, value))
    return value


def _clean_url(definition, value):
    URLValidator()(_clean_text(definition, value))
    return value


CLEANERS = {
    PropertyType.NUMBER: _clean_number,
    PropertyType.CURRENCY: _clean_number,
    PropertyType.BOOLEAN: _clean_boolean,
    PropertyType.DATE: _clean_date,
    PropertyType.DATETIME: _clean_datetime,
    PropertyType.SELECT: _clean_select,
    PropertyType.MULTISELECT: _clean_multiselect,
    PropertyType.EMAIL: _clean_email,
    PropertyType.URL: _clean_url,
}


def _check_rules(definition: PropertyDefinition, value) -> None:
    rules = definition.validation or {}
    if isinstance(value, int | float):
        if "min" in rules and value < rules["min"]:
            raise ValidationError(_("At least %(min)s.") % {"min": rules["min"]})
        if "max" in rules and value > rules["max"]:
            raise ValidationError(_("At most %(max)s.") % {"max": rules["max"]})
    if isinstance(value, str) and rules.get("pattern"):
        if not re.fullmatch(rules["pattern"], value):
            raise ValidationError(_("This value doesn't have the expected format."))
