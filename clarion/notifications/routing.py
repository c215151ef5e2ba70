"""Websocket route of the notification bell, mounted by clarion.asgi."""

from django.urls import path

from clarion.notifications.consumers import UnreadCountConsumer

websocket_urlpatterns = [path("ws/notifications/", UnreadCountConsumer.as_asgi())]
