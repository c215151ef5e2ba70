"""The key user's notifications over the API: list (newest first, cursor-paginated), mark one
read, mark all read. A key only ever reaches its own user's notifications."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from clarion.api.auth import scope_required
from clarion.api.pagination import CursorPagination
from clarion.notifications import queries, services
from clarion.notifications.models import Notification

router = Router(tags=["notifications"], auth=scope_required("notifications:read"))
write = scope_required("notifications:write")
prefix = "/notifications"


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    actor_id: int | None
    target_type: str | None = Field(None, description="e.g. \"crm.deal\"")
    target_id: int | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_target_type(notification: Notification) -> str | None:
        content_type = notification.target_type
        return f"{content_type.app_label}.{content_type.model}" if content_type else None


class NotificationPage(Schema):
    results: list[NotificationOut]
    next: str | None
    unread: int


class ListQuery(Schema):
    unread: bool = Field(False, description="Only unread notifications.")


class MarkedOut(Schema):
    marked: int


@router.get("", response=NotificationPage, url_name="list_notifications",
            operation_id="list_notifications", summary="List your notifications")
def list_notifications(request, query: Query[ListQuery],
                       pagination: Query[CursorPagination.Input]):
    notifications = queries.notifications_of(request.user, unread_only=query.unread) \
        .select_related("target_type")
    page = CursorPagination(order_by="-created_at").paginate_queryset(
        notifications, pagination, request)
    return {**page, "unread": services.unread_count(request.user)}


@router.post("/read-all", response=MarkedOut, auth=write, url_name="mark_all_notifications_read",
             operation_id="mark_all_notifications_read", summary="Mark all as read")
def mark_all_read(request):
    return {"marked": services.mark_all_read(request.user)}


@router.post("/{int:notification_id}/read", response=NotificationOut, auth=write,
             url_name="mark_notification_read", operation_id="mark_notification_read",
             summary="Mark one notification read")
def mark_read(request, notification_id: int):
    notification = get_object_or_404(Notification.objects.select_related("target_type"),
                                     pk=notification_id, recipient=request.user)
    return services.mark_read(notification, user=request.user)
