"""Reading collaboration: a record's activities, comment threads, attachments, the people
one can mention, and the records a new activity may also be linked to."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet

from clarion.collab.models import Activity, ActivityKind, Attachment, Comment
from clarion.collab.targets import is_admin
from clarion.core.permissions import visible_to
from clarion.crm.models import Company, Contact, Deal

LINKED = (("contacts", Contact), ("companies", Company), ("deals", Deal))
RELATION = {"contact": "contacts", "company": "companies", "deal": "deals"}
PEOPLE_LIMIT = 8
RELATED_LIMIT = 10


def activity_visible(user, activity: Activity) -> bool:
    """Someone sees an activity when they see one of its records (its author and admins
    always do)."""
    if activity.author_id == user.pk or is_admin(user):
        return True
    for relation, model in LINKED:
        linked = getattr(activity, relation).values("pk")
        if visible_to(user, model.objects.filter(pk__in=linked)).exists():
            return True
    return False


def activities_on(record, *, kind: str | None = None) -> QuerySet:
    """The record's live (not deleted) notes, calls and meetings, newest first."""
    relation = RELATION[record._meta.model_name]
    activities = (Activity.objects.filter(**{relation: record}, deleted_at__isnull=True)
                  .select_related("author")
                  .prefetch_related("attendee_users", "attendee_contacts"))
    return activities.filter(kind=kind) if kind else activities


def pinned_notes(record) -> list[Activity]:
    relation = RELATION[record._meta.model_name]
    return list(Activity.objects.filter(**{relation: record}, kind=ActivityKind.NOTE,
                                        pinned=True, deleted_at__isnull=True)
                .select_related("author")[:5])


def linked_records(activity: Activity, user) -> list:
    """The records the activity belongs to that the user may see."""
    records = []
    for relation, model in LINKED:
        linked = getattr(activity, relation).values("pk")
        records += list(visible_to(user, model.objects.filter(pk__in=linked)))
    return records


def _target_filter(target) -> dict:
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


def comment_thread(target) -> list[Comment]:
    """The comments on `target`, oldest first, each with its replies (`live_replies`) and
    its number of earlier versions; a deleted comment stays only as the head of a thread
    that still has replies."""
    replies = (Comment.objects.filter(deleted_at__isnull=True).select_related("author")
               .annotate(revision_count=Count("revisions")).order_by("created_at", "id"))
    comments = list(
        Comment.objects.filter(**_target_filter(target), parent__isnull=True)
        .select_related("author").annotate(revision_count=Count("revisions"))
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="live_replies"))
        .order_by("created_at", "id"))
    return [comment for comment in comments
            if comment.deleted_at is None or comment.live_replies]


def comments_on(target) -> QuerySet:
    """Every live comment on `target` (replies too), oldest first: the API's list."""
    return (Comment.objects.filter(**_target_filter(target), deleted_at__isnull=True)
            .select_related("author").annotate(revision_count=Count("revisions")))


def comments_on_any() -> QuerySet:
    """Live comments anywhere, ready for the API."""
    return (Comment.objects.filter(deleted_at__isnull=True)
            .select_related("author", "target_type").annotate(revision_count=Count("revisions")))


def attachments_on(target) -> QuerySet:
    return Attachment.objects.filter(**_target_filter(target)).select_related("uploaded_by")


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def mentionable_users() -> QuerySet:
    """Active colleagues; guest collaborators (when the accounts app has them) are not
    offered, so outsiders aren't listed to everyone."""
    users = get_user_model().objects.filter(is_active=True)
    if _has_field(users.model, "is_guest"):
        users = users.filter(is_guest=False)
    return users


def search_people(query: str, limit: int = PEOPLE_LIMIT) -> list:
    """Colleagues whose first name, last name or email begins with each word typed."""
    users = mentionable_users()
    for word in query.split()[:3]:
        users = users.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
                             | Q(email__istartswith=word))
    return list(users.order_by("first_name", "last_name", "email", "id")[:limit])


def related_records(user, record) -> list:
    """Records a new activity on `record` may also land on: the company, deals and contacts
    associated with it that the user may see."""
    related: list = []
    company_id = getattr(record, "company_id", None)
    if company_id:
        related += list(visible_to(user, Company.objects.filter(pk=company_id)))
    if isinstance(record, Contact):
        related += list(visible_to(user, record.deals.all())[:RELATED_LIMIT])
    elif isinstance(record, Company):
        related += list(visible_to(user, record.contacts.all())[:RELATED_LIMIT])
        related += list(visible_to(user, record.deals.all())[:RELATED_LIMIT])
    elif isinstance(record, Deal):
        related += list(visible_to(user, record.contacts.all())[:RELATED_LIMIT])
    return related
