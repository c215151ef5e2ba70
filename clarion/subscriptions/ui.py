"""What consent adds to the CRM's pages: the "Email subscriptions" card of contact pages
(imported by the app's `ready()`). The card loads its content on its own
(views.contact_subscriptions), so a record page pays nothing for it up front."""

from clarion.crm.extensions import RecordPanel, register_record_panel


def subscriptions_panel(request, object_type, record) -> dict | None:
    return {"contact": record}


def panel_context(request, contact) -> dict:
    """The card's content: the contact's subscription states and whether their address is
    suppressed (one query), for everyone who sees the contact; the controls to change them
    for marketing users who may edit the contact; the latest consent log entries (IP
    addresses, browsers) for marketing users only (one query)."""
    from clarion.core.permissions import can, has_capability
    from clarion.subscriptions import queries
    from clarion.subscriptions.models import Subscription, Suppression

    states, suppression_reason = queries.subscription_states(contact, with_suppression=True)
    marketing = has_capability(request.user, "marketing.manage")
    log = list(queries.consent_log(contact)[:LOG_LENGTH + 1]) if marketing else []
    return {"contact": contact, "states": states,
            "suppression_reason": suppression_reason,
            "suppression_label": (Suppression.Reason(suppression_reason).label
                                  if suppression_reason else ""),
            "show_log": marketing, "log": log[:LOG_LENGTH], "more_log": len(log) > LOG_LENGTH,
            "may_change": marketing and can(request.user, "edit", contact),
            "statuses": Subscription.Status.choices}


LOG_LENGTH = 10


def register() -> None:
    register_record_panel(RecordPanel(
        name="subscriptions", template="subscriptions/record_panel.html",
        context=subscriptions_panel, types=("contact",), order=60))


register()
