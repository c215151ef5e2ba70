"""Keyset ("cursor") pagination for API lists: stable under inserts, fast at any depth.

    from clarion.core.permissions import visible_to

    @router.get("/", response=list[ContactOut], auth=scope_required("contacts:read"))
    @paginate(CursorPagination, order_by="-created_at")
    def list_contacts(request):
        return visible_to(request.user, Contact.objects.all())

`visible_to` (core.permissions) restricts the queryset to the records the key's user may see;
the paginator only orders and slices what it is given. The answer is
`{"results": [...], "next": "<cursor>" | null}`; it takes `?limit=` (1–100) and `?cursor=`.

The cursor holds the last row's (sort key, id), signed with the `SECRET_KEY` so a client can't
forge sort values; any cursor that isn't exactly one Clarion issued answers 422. The next page
is `WHERE (key, id) > (last key, last id)`, so the sort key must be a non-null column.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase

from clarion.core import cursors

MAX_LIMIT = 100
DEFAULT_LIMIT = 50


CURSOR_SALT = "clarion.api.cursor"


def encode_cursor(value: Any, pk: Any) -> str:
    """A URL-safe, signed token of (sort value, id)."""
    return cursors.encode_cursor(value, pk, salt=CURSOR_SALT)


def invalid_cursor() -> ValidationError:
    return ValidationError([{"loc": ["query", "cursor"], "msg": "Invalid cursor",
                             "type": "value_error"}])


def decode_cursor(cursor: str) -> tuple[Any, Any]:
    """The (sort value, id) of a cursor made by `encode_cursor`; 422 for anything else."""
    try:
        return cursors.decode_cursor(cursor, salt=CURSOR_SALT)
    except cursors.InvalidCursor as error:
        raise invalid_cursor() from error


class CursorPagination(PaginationBase):
    """Pages ordered by `order_by` (prefix "-" for descending) and then by id."""

    items_attribute = "results"

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT,
                           description="How many results to return (at most 100).")
        cursor: str | None = Field(None, description="The `next` value of the previous page.")

    class Output(Schema):
        results: list[Any]
        next: str | None

    def __init__(self, *, order_by: str = "id", **kwargs: Any) -> None:
        self.descending = order_by.startswith("-")
        self.field = order_by.removeprefix("-")
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest,
                          **params: Any) -> dict:
        sign = "-" if self.descending else ""
        queryset = queryset.order_by(f"{sign}{self.field}", f"{sign}pk")
        if pagination.cursor:
            try:
                queryset = queryset.filter(self._after(*decode_cursor(pagination.cursor)))
            except (ValueError, TypeError, DjangoValidationError) as error:
                raise invalid_cursor() from error  # a well-formed cursor with foreign values
        page = list(queryset[: pagination.limit + 1])
        has_more = len(page) > pagination.limit
        page = page[: pagination.limit]
        last = page[-1] if has_more else None
        next_cursor = encode_cursor(getattr(last, self.field), last.pk) if last else None
        return {"results": page, "next": next_cursor}

    def _after(self, value: Any, pk: Any) -> Q:
        beyond = "lt" if self.descending else "gt"
        if self.field in {"id", "pk"}:
            return Q(**{f"pk__{beyond}": pk})
        # The redundant "not beyond the value" bound lets the database start an index range
        # scan at the cursor instead of filtering its way there (deep pages stay fast).
        within = "lte" if self.descending else "gte"
        return Q(**{f"{self.field}__{within}": value}) & (
            Q(**{f"{self.field}__{beyond}": value}) | Q(**{self.field: value,
                                                         f"pk__{beyond}": pk}))
