"""Reads of saved views."""

from django.db.models import Q, QuerySet

from clarion.core.listviews.models import SavedView


def views_for(user, object_type: str) -> QuerySet[SavedView]:
    """The views a person may open on a list: their own and every shared one."""
    return SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True),
                                     object_type=object_type)
