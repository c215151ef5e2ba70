"""When two contacts are merged, the survivor keeps the loser's email history: each message
of a send the survivor did not also receive moves over, so reports, the trace and the contact's
card still find it (its events move with the timeline). Where both received the same send,
the loser's message stays in the send's numbers without a contact."""

from django.db.models import Exists, OuterRef

from clarion.crm.merge import on_merge
from clarion.crm.models import Contact
from clarion.sending.models import Message


def move_messages(survivor, loser) -> None:
    if not isinstance(survivor, Contact):
        return
    survivor_got_it = Message.objects.filter(send_id=OuterRef("send_id"), contact=survivor)
    Message.objects.filter(contact=loser).exclude(Exists(survivor_got_it)).update(
        contact=survivor)


def register() -> None:
    on_merge(move_messages)
