"""Websocket consumers for live pages: a pipeline's board and one record's detail page.

A socket joins its group on connect (signed-in users only) and forwards a "record changed"
message only when its user may view that record."""

from channels.db import database_sync_to_async

from clarion.core.live import GroupConsumer
from clarion.core.permissions import can, record_scope
from clarion.crm.live import board_group, record_group
from clarion.crm.models import Company, Contact, Deal, Pipeline

MODELS = {"deal": Deal, "contact": Contact, "company": Company}


@database_sync_to_async
def _viewable(user, object_type: str, record_id: int) -> bool:
    model = MODELS.get(object_type)
    record = model and model.objects.filter(pk=record_id).first()
    return bool(record) and can(user, "view", record)


class LiveConsumer(GroupConsumer):
    async def record_changed(self, message: dict) -> None:
        # A deleted record can't be checked any more; its id alone tells a board to refetch
        # its columns (through the permission-checked views) and says nothing else.
        if message.get("deleted"):
            await self.send_json({"type": "deleted", "object_type": message["object_type"],
                                  "id": message["id"], "actor": "", "actor_id": None})
        elif await _viewable(self.scope["user"], message["object_type"], message["id"]):
            await self.send_json({"type": "changed", "object_type": message["object_type"],
                                  "id": message["id"], "actor": message["actor"],
                                  "actor_id": message["actor_id"]})


class BoardConsumer(LiveConsumer):
    """ws/boards/<pipeline_id>/: moves and edits of the pipeline's deals."""

    @database_sync_to_async
    def group_for(self, user) -> str | None:
        pipeline_id = self.scope["url_route"]["kwargs"]["pipeline_id"]
        if record_scope(user, "deals", "view") is None:
            return None
        if not Pipeline.objects.filter(pk=pipeline_id).exists():
            return None
        return board_group(pipeline_id)


class RecordConsumer(LiveConsumer):
    """ws/records/<type>/<id>/: changes to one contact, company or deal."""

    async def group_for(self, user) -> str | None:
        kwargs = self.scope["url_route"]["kwargs"]
        if not await _viewable(user, kwargs["object_type"], kwargs["record_id"]):
            return None
        return record_group(kwargs["object_type"], kwargs["record_id"])
