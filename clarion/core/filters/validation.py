"""Checking a filter tree against a field catalogue before it is compiled: structure by
pydantic, names, operators and values against the catalogue. Returns the tree with values
coerced to their types (numbers, dates, ids) so the compiler trusts what it gets."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from clarion.core.filters.catalogue import Catalogue, Field
from clarion.core.filters.errors import InvalidFilter, did_you_mean
from clarion.core.filters.registry import LEAF_KINDS, leaf_kind

GROUPS = ("all", "any", "not")
NO_VALUE = {"is_empty", "is_not_empty", "is_true", "is_false"}
LIST_VALUE = {"in", "not_in", "has_any", "has_all", "has_none"}
MAX_DEPTH = 8
MAX_LIST = 1000


class PropertyLeaf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    property: str
    op: str
    value: Any = None


class AssociationLeaf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    association: str
    where: dict = {}


def _structure(model: type[BaseModel], node: dict, path: str) -> BaseModel:
    try:
        return model.model_validate(node)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InvalidFilter(f"{problem['msg'].lower()} ({where})", path) from None


def validate_tree(tree: Any, catalogue: Catalogue, path: str = "filter", depth: int = 0) -> dict:
    """The tree, checked and normalised; raises InvalidFilter naming the first bad leaf."""
    if depth > MAX_DEPTH:
        raise InvalidFilter(f"groups nest deeper than {MAX_DEPTH} levels", path)
    if not isinstance(tree, dict) or not tree:
        raise InvalidFilter("expected an object such as {\"all\": [...]}", path)
    group = [key for key in GROUPS if key in tree]
    if group:
        return _validate_group(tree, group[0], catalogue, path, depth)
    kind = leaf_kind(tree)
    if kind is None:
        known = ", ".join([*GROUPS, *LEAF_KINDS])
        raise InvalidFilter(f"unknown node {sorted(tree)} — expected one of: {known}", path)
    return LEAF_KINDS[kind].validate(tree, catalogue, path, depth)


def _validate_group(tree: dict, key: str, catalogue, path: str, depth: int) -> dict:
    if len(tree) != 1:
        raise InvalidFilter(f"a '{key}' group has no other keys", path)
    if key == "not":
        return {"not": validate_tree(tree["not"], catalogue, f"{path}.not", depth + 1)}
    children = tree[key]
    if not isinstance(children, list):
        raise InvalidFilter(f"'{key}' holds a list of conditions", path)
    return {key: [validate_tree(child, catalogue, f"{path}.{key}[{index}]", depth + 1)
                  for index, child in enumerate(children)]}


def validate_property_leaf(tree: dict, catalogue: Catalogue, path: str, depth: int) -> dict:
    leaf = _structure(PropertyLeaf, tree, path)
    path = f"{path} ('{leaf.property}')"
    field = catalogue.fields.get(leaf.property)
    if field is None:
        hint = did_you_mean(leaf.property, catalogue.fields)
        raise InvalidFilter(f"unknown property '{leaf.property}'{hint}", path)
    op = {"eq": "is", "neq": "is_not"}.get(leaf.op, leaf.op) if field.family in (
        "user", "reference") else leaf.op
    if op not in field.operators:
        kind = field.type.replace("_", " ")
        raise InvalidFilter(
            f"operator '{leaf.op}' does not apply to {kind} property '{field.name}' "
            f"(use one of: {', '.join(field.operators)})", path)
    return {"property": field.name, "op": op, "value": coerce_value(field, op, leaf.value,
                                                                    path)}


def validate_association_leaf(tree: dict, catalogue: Catalogue, path: str, depth: int) -> dict:
    leaf = _structure(AssociationLeaf, tree, path)
    association = catalogue.associations.get(leaf.association)
    if association is None:
        hint = did_you_mean(leaf.association, catalogue.associations)
        raise InvalidFilter(f"unknown association '{leaf.association}'{hint}", path)
    related = catalogue.through(association.name)
    where = validate_tree(leaf.where or {"all": []}, related, f"{path}.where", depth + 1)
    return {"association": association.name, "where": where}


# --- values -----------------------------------------------------------------------------

def coerce_value(field: Field, op: str, value: Any, path: str) -> Any:
    if op in NO_VALUE:
        return None
    if op == "within_last_days":
        days = _number(field, value, path)
        if days != int(days) or days < 0:
            raise InvalidFilter(f"'within_last_days' takes a whole number of days, not "
                                f"'{value}'", path)
        return int(days)
    if op == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise InvalidFilter(f"'between' takes two values [low, high] for '{field.name}'",
                                path)
        return [_scalar(field, item, path) for item in value]
    if op in LIST_VALUE:
        if not isinstance(value, list | tuple) or not value or len(value) > MAX_LIST:
            raise InvalidFilter(f"'{op}' takes a list of 1 to {MAX_LIST} values for "
                                f"'{field.name}'", path)
        return [_scalar(field, item, path) for item in value]
    return _scalar(field, value, path)


def _scalar(field: Field, value: Any, path: str) -> Any:
    family = field.family
    if family == "number":
        return _number(field, value, path)
    if family == "date":
        return _date(field, value, path)
    if family in ("user", "reference"):
        return _reference(field, value, path)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidFilter(f"value {value!r} is not text for '{field.name}'", path)
    value = str(value)
    if family in ("select", "multiselect") and field.options:
        allowed = [option for option, _ in field.options]
        if value not in allowed:
            raise InvalidFilter(f"'{value}' is not an option of '{field.name}' (options: "
                                f"{', '.join(allowed)})", path)
    return value


def _number(field: Field, value: Any, path: str) -> int | float | Decimal:
    if isinstance(value, bool):
        raise InvalidFilter(f"value '{value}' is not a number for '{field.name}'", path)
    if isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidFilter(f"value '{value}' is not a number for '{field.name}'",
                            path) from None
    if not number.is_finite():
        raise InvalidFilter(f"value '{value}' is not a number for '{field.name}'", path)
    return int(number) if number == number.to_integral_value() else float(number)


def _date(field: Field, value: Any, path: str) -> str:
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise InvalidFilter(f"value '{value}' is not a date (YYYY-MM-DD) for "
                            f"'{field.name}'", path) from None


def _reference(field: Field, value: Any, path: str) -> int | str:
    if value == "me" and field.family == "user":
        return "me"
    if isinstance(value, bool):
        raise InvalidFilter(f"value '{value}' is not an id for '{field.name}'", path)
    try:
        return int(value)
    except (TypeError, ValueError):
        me = " or \"me\"" if field.family == "user" else ""
        raise InvalidFilter(f"value '{value}' is not an id{me} for '{field.name}'",
                            path) from None
