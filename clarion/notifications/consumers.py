"""ws/notifications/: the signed-in user's unread count, pushed when it changes."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from clarion.crm.live import remember_socket_loop
from clarion.notifications.live import user_group


class UnreadCountConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        remember_socket_loop()
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notifications_unread(self, message: dict) -> None:
        await self.send_json({"type": "unread", "count": message["count"]})
