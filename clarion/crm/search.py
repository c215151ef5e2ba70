"""Global search: contacts by name, email, phone or company name; companies by name, domain
or phone; deals by name. Prefix matches on lower-cased values, so PostgreSQL answers from
`lower(col) text_pattern_ops` indexes at millions of rows (docs/architecture.md, "Search").
Every result goes through `visible_to`."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.db.models.lookups import StartsWith
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clarion.core.permissions import visible_to
from clarion.crm.models import Contact
from clarion.crm.objects import OBJECT_TYPES, ObjectType

SUGGESTION_LIMIT = 5
PAGE_LIMIT = 50
MAX_QUERY = 100
RELATED_LIMIT = 1000

# Per record type: the columns a search term may begin.
SEARCH_COLUMNS = {
    "contact": ("email", "first_name", "last_name", "phone", "mobile_phone",
                "company__name"),
    "company": ("name", "domain", "phone"),
    "deal": ("name",),
}


@dataclass
class ResultGroup:
    object_type: ObjectType
    records: list
    more: bool


def _starts(column: str, term: str) -> Q:
    related, _sep, field = column.rpartition("__")
    if related:
        # The related ids are read first (their own prefix index) and passed as a list: a
        # subquery inside the OR would make PostgreSQL scan the table instead of combining
        # the prefix indexes as a BitmapOr. Search shows a few results, so the first
        # RELATED_LIMIT matching companies are plenty.
        model = Contact._meta.get_field(related).related_model
        ids = model._default_manager.filter(StartsWith(Lower(field), term)).order_by(
            "pk").values_list("pk", flat=True)[:RELATED_LIMIT]
        return Q(**{f"{related}_id__in": list(ids)})
    return Q(StartsWith(Lower(column), term))


def search_condition(type_name: str, query: str) -> Q:
    """Records one of whose columns begins with the query; for contacts also "first last",
    and every word of a several-word query beginning some column."""
    query = " ".join(query.lower().split())[:MAX_QUERY]
    columns = SEARCH_COLUMNS[type_name]
    condition = Q(pk__in=[])
    for column in columns:
        condition |= _starts(column, query)
    words = query.split(" ")
    if len(words) > 1:
        every_word = Q()
        for word in words:
            any_column = Q(pk__in=[])
            for column in columns:
                any_column |= _starts(column, word)
            every_word &= any_column
        condition |= every_word
    return condition


def search(user, query: str, *, limit: int = SUGGESTION_LIMIT) -> list[ResultGroup]:
    """The records of each type matching `query` that the user may see, `limit` per type."""
    if not query.strip():
        return []
    groups = []
    for type_name, object_type in OBJECT_TYPES.items():
        # NULLS LAST on purpose: it matches no index, so PostgreSQL finds the few matching
        # rows first (prefix indexes) and sorts them, instead of walking the updated_at
        # index through the whole table looking for five matches.
        records = visible_to(user, object_type.queryset()).filter(
            search_condition(type_name, query)).order_by(
            F("updated_at").desc(nulls_last=True), "-id")
        found = list(records[:limit + 1])
        if found:
            groups.append(ResultGroup(object_type, found[:limit], len(found) > limit))
    return groups


@login_required
def suggestions(request: HttpRequest) -> HttpResponse:
    """The search box's dropdown: the top few records of each type."""
    query = request.GET.get("q", "").strip()
    return render(request, "crm/search/suggestions.html", {
        "query": query, "groups": search(request.user, query) if len(query) >= 2 else []})


@login_required
def results(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    return render(request, "crm/search/results.html", {
        "query": query, "groups": search(request.user, query, limit=PAGE_LIMIT)})
