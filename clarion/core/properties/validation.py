"""Checking custom property values against their definitions: one function used by the record
forms, the API and the importer, so a value is valid or not in the same way everywhere.

    clean_property_values(definitions, {"tier": "gold", …}, unique_among=Contact.objects,
                          exclude_pk=contact.pk) -> {"tier": "gold", …}

Values are coerced to their JSON form (numbers as int/float, dates as ISO strings, booleans,
lists for multi-selects); an empty value cleans to None. Errors are collected per property and
raised together as one ValidationError whose messages name the property's label.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from clarion.core.properties.models import PropertyDefinition, PropertyType

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{3,40}$")


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _number(definition: PropertyDefinition, value):
    if isinstance(value, bool):
        raise ValidationError(_("%(label)s must be a number.") % {"label": definition.label})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("%(label)s must be a number.")
                              % {"label": definition.label}) from None
    if not number.is_finite():
        raise ValidationError(_("%(label)s must be a number.") % {"label": definition.label})
    rules = definition.validation or {}
    if rules.get("min") not in (None, "") and number < Decimal(str(rules["min"])):
        raise ValidationError(_("%(label)s must be at least %(min)s.")
                              % {"label": definition.label, "min": rules["min"]})
    if rules.get("max") not in (None, "") and number > Decimal(str(rules["max"])):
        raise ValidationError(_("%(label)s must be at most %(max)s.")
                              % {"label": definition.label, "max": rules["max"]})
    return int(number) if number == number.to_integral_value() else float(number)


def _text(definition: PropertyDefinition, value):
    text = str(value).strip()
    pattern = (definition.validation or {}).get("pattern")
    if pattern and not re.fullmatch(pattern, text):
        raise ValidationError(_("%(label)s does not have the expected format.")
                              % {"label": definition.label}) from None
    return text


def _date(definition: PropertyDefinition, value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    parsed = parse_date(str(value).strip()) if value else None
    if parsed is None:
        raise ValidationError(_("%(label)s must be a date (YYYY-MM-DD).")
                              % {"label": definition.label})
    return parsed.isoformat()


def _datetime(definition: PropertyDefinition, value):
    if isinstance(value, datetime):
        return value.isoformat()
    try:
        parsed = parse_datetime(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(_("%(label)s must be a date and time.")
                              % {"label": definition.label})
    return parsed.isoformat()


def _boolean(definition: PropertyDefinition, value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off"}:
        return False
    raise ValidationError(_("%(label)s must be yes or no.") % {"label": definition.label})


def _select(definition: PropertyDefinition, value):
    if value not in definition.option_values:
        raise ValidationError(_("%(label)s: “%(value)s” is not one of the options.")
                              % {"label": definition.label, "value": value})
    return value


def _multiselect(definition: PropertyDefinition, value):
    values = [value] if isinstance(value, str) else list(value)
    unknown = [item for item in values if item not in definition.option_values]
    if unknown:
        raise ValidationError(_("%(label)s: “%(value)s” is not one of the options.")
                              % {"label": definition.label, "value": unknown[0]})
    return [option for option in definition.option_values if option in values]


def _email(definition: PropertyDefinition, value):
    text = str(value).strip()
    try:
        EmailValidator()(text)
    except ValidationError:
        raise ValidationError(_("%(label)s must be an email address.")
                              % {"label": definition.label}) from None
    return text


def _phone(definition: PropertyDefinition, value):
    text = str(value).strip()
    if not PHONE_PATTERN.match(text):
        raise ValidationError(_("%(label)s must be a phone number.")
                              % {"label": definition.label})
    return _text(definition, text)


def _url(definition: PropertyDefinition, value):
    text = str(value).strip()
    try:
        URLValidator()(text)
    except ValidationError:
        raise ValidationError(_("%(label)s must be a web address starting with http:// or "
                                "https://.") % {"label": definition.label}) from None
    return text


CLEANERS = {
    PropertyType.TEXT: _text, PropertyType.TEXTAREA: _text, PropertyType.NUMBER: _number,
    PropertyType.CURRENCY: _number, PropertyType.DATE: _date,
    PropertyType.DATETIME: _datetime, PropertyType.BOOLEAN: _boolean,
    PropertyType.SELECT: _select, PropertyType.MULTISELECT: _multiselect,
    PropertyType.EMAIL: _email, PropertyType.PHONE: _phone, PropertyType.URL: _url,
}


def clean_property_value(definition: PropertyDefinition, value):
    """One value in its stored form, or ValidationError naming the property."""
    if is_empty(value):
        if definition.required:
            raise ValidationError(_("%(label)s is required.") % {"label": definition.label})
        return None
    return CLEANERS[definition.type](definition, value)


def clean_property_values(definitions: Iterable[PropertyDefinition], values: dict, *,
                          unique_among: QuerySet | None = None, exclude_pk=None,
                          partial: bool = False) -> dict:
    """Validate `values` (property name → value) against the active `definitions`.

    Unknown names are errors. Required properties missing from `values` are errors unless
    `partial` (an API PATCH). With `unique_among` (the records' queryset), values of unique
    properties must not be held by another record. Raises ValidationError with a dict of
    messages per property name."""
    by_name = {definition.name: definition for definition in definitions
               if not definition.archived}
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name in values:
        if name not in by_name:
            errors[name] = [_("There is no property called “%(name)s”.") % {"name": name}]
    for name, definition in by_name.items():
        if name not in values and (partial or not definition.required):
            continue
        try:
            cleaned[name] = clean_property_value(definition, values.get(name))
        except ValidationError as error:
            errors[name] = error.messages
            continue
        if definition.unique and cleaned[name] is not None and unique_among is not None:
            taken = unique_among.filter(**{f"properties__{name}": cleaned[name]})
            if exclude_pk is not None:
                taken = taken.exclude(pk=exclude_pk)
            if taken.exists():
                errors[name] = [_("%(label)s: another record already has the value "
                                  "“%(value)s”.") % {"label": definition.label,
                                                     "value": cleaned[name]}]
    if errors:
        raise ValidationError(errors)
    return cleaned
