"""Websocket routes of the CRM, mounted under /ws/ by clarion.asgi."""

from django.urls import path

from clarion.crm import consumers

websocket_urlpatterns = [
    path("ws/boards/<int:pipeline_id>/", consumers.BoardConsumer.as_asgi()),
    path("ws/records/<str:object_type>/<int:record_id>/", consumers.RecordConsumer.as_asgi()),
]
