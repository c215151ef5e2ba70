"""ws/notifications/: the signed-in user's unread count, pushed when it changes."""

from clarion.core.live import GroupConsumer
from clarion.notifications.live import user_group


class UnreadCountConsumer(GroupConsumer):
    async def group_for(self, user) -> str | None:
        return user_group(user.pk)

    async def notifications_unread(self, message: dict) -> None:
        await self.send_json({"type": "unread", "count": message["count"]})
