"""Writes of saved views. The filter is validated by the caller against the record type's
catalogue (`clarion.core.filters.compile_filter`) before it is stored."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from clarion.core.listviews.models import SavedView


@transaction.atomic
def save_view(*, owner, object_type: str, name: str, filter: dict, columns: list[str],
              sort: str, shared: bool, view: SavedView | None = None) -> SavedView:
    """Create a view, or overwrite `view` (only its owner may)."""
    if view is not None and view.owner_id != owner.pk:
        raise PermissionDenied
    view = view or SavedView(owner=owner, object_type=object_type)
    view.name, view.filter, view.columns = name.strip()[:120], filter, columns
    view.sort, view.shared, view.updated_at = sort, shared, timezone.now()
    view.save()
    return view


@transaction.atomic
def delete_view(view: SavedView, *, actor) -> None:
    """Only the person who saved a view deletes it."""
    if view.owner_id != actor.pk:
        raise PermissionDenied
    view.delete()
