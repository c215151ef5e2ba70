"""The "Discussion" panel on contact, company and deal pages."""

from django.urls import reverse

from clarion.chat import queries
from clarion.chat.rendering import BodyRenderer
from clarion.core.permissions import can, is_guest

PANEL_MESSAGES = 5


def discussion_panel(request, object_type, record) -> dict | None:
    # Guests work in the record's comments; chat is for the team.
    if is_guest(request.user) or not can(request.user, "view", record):
        return None
    conversation = queries.discussion_of(record)
    page, older = ([], "") if conversation is None else queries.message_page(
        conversation, limit=PANEL_MESSAGES)
    renderer = BodyRenderer(request.user, [m.body for m in page], request)
    for message in page:
        message.html = renderer.render(message.body)
    return {
        "conversation": conversation, "messages_list": page, "more": bool(older),
        "post_url": reverse("chat:record_post", args=[object_type.name, record.pk]),
        "open_url": reverse("chat:record_discussion", args=[object_type.name, record.pk]),
        "newest_id": page[-1].pk if page else 0,
    }
