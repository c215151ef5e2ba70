"""The "Marketing email" card of contact pages: the contact's latest marketing messages, each
linking to its trace (imported by the app's `ready()`).

The card loads its list on its own (htmx), so the contact page pays no query for it."""

from django.urls import reverse

from clarion.crm.extensions import RecordPanel, register_record_panel

RECENT = 8


def marketing_email_panel(request, object_type, record) -> dict | None:
    from clarion.core.permissions import is_guest

    if is_guest(request.user):
        return None  # what was mailed to a contact is not part of what was shared
    return {"url": reverse("campaign_reports:contact_messages", args=[record.pk])}


def recent_messages(contact) -> list:
    """The contact's most recent messages of campaign sends, with their campaigns: one
    query."""
    from clarion.sending.models import Message, Send

    messages = list(Message.objects.filter(contact=contact, send__kind=Send.Kind.CAMPAIGN)
                    .select_related("send__campaign").order_by("-created_at", "-id")[:RECENT])
    for message in messages:
        message.campaign = getattr(message.send, "campaign", None)
    return messages


def register() -> None:
    register_record_panel(RecordPanel(
        name="marketing-email", template="campaigns/report/record_panel.html",
        context=marketing_email_panel, types=("contact",), order=60))


register()
