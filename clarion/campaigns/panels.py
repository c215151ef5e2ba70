"""The "Marketing email" card of contact pages: the contact's latest marketing messages, each
linking to its trace (imported by the app's `ready()`)."""

from clarion.crm.extensions import RecordPanel, register_record_panel

RECENT = 8


def marketing_email_panel(request, object_type, record) -> dict | None:
    """The contact's most recent messages of campaign sends (everyone who sees the contact
    sees what was sent to them; the trace needs `marketing.manage`)."""
    from clarion.core.permissions import has_capability, is_guest
    from clarion.sending.models import Message, Send

    if is_guest(request.user):
        return None  # what was mailed to a contact is not part of what was shared
    messages = list(Message.objects.filter(contact=record, send__kind=Send.Kind.CAMPAIGN)
                    .select_related("send__campaign").order_by("-created_at", "-id")[:RECENT])
    for message in messages:
        message.campaign = getattr(message.send, "campaign", None)
    return {"messages": messages, "may_trace": has_capability(request.user, "marketing.manage")}


def register() -> None:
    register_record_panel(RecordPanel(
        name="marketing-email", template="campaigns/report/record_panel.html",
        context=marketing_email_panel, types=("contact",), order=60))


register()
