"""Websockets of the chat: ws/chat/ (the signed-in user's activity, for unread counts) and
ws/chat/<id>/ (one conversation's new, edited and deleted messages).

Both re-check that the socket's user may read the conversation before forwarding anything,
so someone removed from a channel, or who lost access to a record, stops hearing about it."""

from channels.db import database_sync_to_async

from clarion.chat import queries
from clarion.chat.live import conversation_group, user_group
from clarion.chat.models import Conversation
from clarion.core.live import GroupConsumer


@database_sync_to_async
def _may_read(user, conversation_id: int) -> bool:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    return conversation is not None and queries.can_read(user, conversation)


class ChatConsumer(GroupConsumer):
    async def forward(self, message: dict, kind: str) -> None:
        if await _may_read(self.scope["user"], message["conversation"]):
            await self.send_json({"type": kind, "change": message["change"],
                                  "conversation": message["conversation"],
                                  "message": message["message"],
                                  "actor_id": message["actor_id"]})


class ConversationConsumer(ChatConsumer):
    """ws/chat/<conversation_id>/"""

    async def group_for(self, user) -> str | None:
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        if not await _may_read(user, conversation_id):
            return None
        return conversation_group(conversation_id)

    async def chat_event(self, message: dict) -> None:
        await self.forward(message, "message")


class ActivityConsumer(ChatConsumer):
    """ws/chat/: activity in any of the user's conversations."""

    async def group_for(self, user) -> str | None:
        return user_group(user.pk)

    async def chat_activity(self, message: dict) -> None:
        await self.forward(message, "activity")
