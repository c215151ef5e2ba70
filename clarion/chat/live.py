"""Live delivery of chat activity over websockets (Channels).

Two streams: a conversation's (`chat.conversation.<id>`, joined by sockets of pages showing
it) carries "message new/edited/deleted"; a user's (`chat.user.<id>`) carries "activity in
conversation N" so their sidebar's unread counts follow. Messages carry ids only; consumers
re-check access before forwarding and pages fetch HTML through permission-checked views."""

from channels.layers import get_channel_layer
from django.db import transaction

from clarion.core.live import group_send


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def user_group(user_id: int) -> str:
    return f"chat.user.{user_id}"


def announce(*, conversation_id: int, message_id: int, change: str, actor_id: int | None,
             audience: set[int]) -> None:
    """Tell the conversation's open pages about a message, and its people's sidebars."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "chat.event", "change": change, "conversation": conversation_id,
               "message": message_id, "actor_id": actor_id}
    group_send(layer, conversation_group(conversation_id), message)
    for user_id in audience:
        group_send(layer, user_group(user_id), {**message, "type": "chat.activity"})


def announce_on_commit(**kwargs) -> None:
    transaction.on_commit(lambda: announce(**kwargs), robust=True)
