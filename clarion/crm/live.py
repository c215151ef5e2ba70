"""Live updates: tell the websockets watching a board or a record that it changed.

Messages carry ids only; each consumer checks the socket user's right to view the record
before forwarding, and pages refetch HTML through the ordinary permission-checked views."""

from channels.layers import get_channel_layer
from django.db import transaction

from clarion.core.events import on
from clarion.core.live import group_send


def board_group(pipeline_id: int) -> str:
    return f"board.{pipeline_id}"


def record_group(object_type: str, record_id: int) -> str:
    return f"record.{object_type}.{record_id}"


def _actor_name(actor) -> str:
    return str(actor) if actor is not None else ""


def announce(*, object_type: str, record_id: int, pipeline_id: int | None = None,
             actor=None, deleted: bool = False) -> None:
    """Send "this record changed" (or "was deleted") to its watchers now (call after
    commit)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "record.changed", "object_type": object_type, "id": record_id,
               "actor": _actor_name(actor), "actor_id": getattr(actor, "pk", None),
               "deleted": deleted}
    groups = [record_group(object_type, record_id)]
    if pipeline_id is not None:
        groups.append(board_group(pipeline_id))
    for group in groups:
        group_send(layer, group, message)


def announce_on_commit(**kwargs) -> None:
    transaction.on_commit(lambda: announce(**kwargs))


@on("deal.*", "contact.*", "company.*")
def announce_record_event(event) -> None:
    """Every change to a contact, company or deal reaches the pages watching it."""
    object_type = event.kind.split(".", 1)[0]
    record_id = event.subject_id or (event.data or {}).get("id")
    if record_id is None:
        return
    pipeline_id = None
    if object_type == "deal":
        from clarion.crm.models import Deal

        pipeline_id = (event.data or {}).get("pipeline") or (
            Deal.objects.filter(pk=record_id).values_list("pipeline_id", flat=True).first())
    announce_on_commit(object_type=object_type, record_id=record_id, pipeline_id=pipeline_id,
                       actor=event.actor, deleted=event.kind.endswith(".deleted"))
