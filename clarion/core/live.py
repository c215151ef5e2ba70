"""Websocket plumbing shared by every live page (boards, records, chat, the notification bell).

`GroupConsumer` admits signed-in users to the one channel-layer group its subclass names (or
closes with 4401 signed out / 4403 no access); `group_send` reaches a group from any thread.
Messages carry ids only: consumers check access before forwarding, and pages refetch HTML
through the ordinary permission-checked views.
"""

import asyncio

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer

# The event loop serving this process's websockets. The in-memory layer's queues belong to it,
# so a send from a thread outside it (the embedded worker dispatching events in `clarion run`)
# has to run on that loop; Redis layers work from any loop.
_socket_loop: asyncio.AbstractEventLoop | None = None


def remember_socket_loop() -> None:
    """Called by consumers as they connect, on the loop that serves them."""
    global _socket_loop
    _socket_loop = asyncio.get_running_loop()


def group_send(layer, group: str, message: dict) -> None:
    loop = _socket_loop
    if (isinstance(layer, InMemoryChannelLayer) and loop is not None and loop.is_running()
            and not _running_in(loop)):
        asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result(10)
        return
    async_to_sync(layer.group_send)(group, message)


def _running_in(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


class GroupConsumer(AsyncJsonWebsocketConsumer):
    """A socket in one group, chosen by `group_for(user)` (None refuses the socket)."""

    async def connect(self) -> None:
        remember_socket_loop()
        user = self.scope.get("user")
        if not getattr(user, "is_authenticated", False):
            await self.close(code=4401)
            return
        self.group = await self.group_for(user)
        if self.group is None:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def group_for(self, user) -> str | None:
        raise NotImplementedError
