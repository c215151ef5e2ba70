"""One filter language for every list, segment, workflow branch, report and API search.

    from clarion.core.filters import compile_filter, filter_queryset, matches

A filter is a JSON tree (see docs/filters.md); `compile_filter` validates it against the
record type's field catalogue and returns a Django `Q`. `matches` asks the same question of
one record, so "is X in this list" and the list itself never disagree.
"""

from datetime import datetime

from django.db.models import Model, Q, QuerySet

from clarion.core.filters.catalogue import Catalogue, Field, build_catalogue
from clarion.core.filters.compiler import (
    FilterContext,
    compile_association_leaf,
    compile_property_leaf,
    compile_tree,
)
from clarion.core.filters.errors import InvalidFilter
from clarion.core.filters.registry import register_leaf
from clarion.core.filters.validation import (
    validate_association_leaf,
    validate_property_leaf,
    validate_tree,
)

register_leaf("property", validate=validate_property_leaf, compile=compile_property_leaf)
register_leaf("association", validate=validate_association_leaf,
              compile=compile_association_leaf)


def compile_filter(tree: dict, model: type[Model], *, user=None, now: datetime | None = None,
                   catalogue: Catalogue | None = None) -> Q:
    """Validate `tree` for `model` and compile it; raises InvalidFilter."""
    catalogue = catalogue or build_catalogue(model)
    normalised = validate_tree(tree, catalogue)
    context = FilterContext(user=user) if now is None else FilterContext(user=user, now=now)
    return compile_tree(normalised, catalogue, context)


def filter_queryset(queryset: QuerySet, tree: dict | None, *, user=None,
                    catalogue: Catalogue | None = None) -> QuerySet:
    """`queryset` narrowed by `tree` (no tree, or an empty one, narrows nothing)."""
    if not tree:
        return queryset
    return queryset.filter(compile_filter(tree, queryset.model, user=user,
                                          catalogue=catalogue))


def matches(obj: Model, tree: dict, *, user=None) -> bool:
    """Does `obj` match `tree`? The list's own query, restricted to one id."""
    model = type(obj)
    return model._default_manager.filter(pk=obj.pk).filter(
        compile_filter(tree, model, user=user)).exists()


__all__ = ["Catalogue", "Field", "FilterContext", "InvalidFilter", "build_catalogue",
           "compile_filter", "filter_queryset", "matches", "register_leaf"]
