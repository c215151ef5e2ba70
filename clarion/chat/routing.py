"""Websocket routes of the chat, mounted by clarion.asgi."""

from django.urls import path

from clarion.chat import consumers

websocket_urlpatterns = [
    path("ws/chat/", consumers.ActivityConsumer.as_asgi()),
    path("ws/chat/<int:conversation_id>/", consumers.ConversationConsumer.as_asgi()),
]
