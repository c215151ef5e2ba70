"""The bell's live count: each signed-in page keeps a socket in the group of its user, and a
change to their notifications sends the new unread count (a number, nothing else)."""

from channels.layers import get_channel_layer

from clarion.core.live import group_send


def user_group(user_id: int) -> str:
    return f"notifications.{user_id}"


def announce_unread(user_id: int) -> None:
    """Send the user's current unread count to their open pages (call after commit)."""
    from clarion.notifications.services import unread_count_for_id

    layer = get_channel_layer()
    if layer is None:
        return
    group_send(layer, user_group(user_id),
                {"type": "notifications.unread", "count": unread_count_for_id(user_id)})
