"""What consent adds to the CRM's pages: the "Email subscriptions" panel of contact pages
(imported by the app's `ready()`)."""

from clarion.core.permissions import can, has_capability
from clarion.crm.extensions import RecordPanel, register_record_panel

LOG_LENGTH = 10


def subscriptions_panel(request, object_type, record) -> dict | None:
    """The contact's subscription states, whether their address is suppressed and the latest
    consent log entries; the controls to change them for marketing users who may edit the
    contact. Everyone who sees the contact sees whether they may be emailed."""
    from clarion.subscriptions import queries
    from clarion.subscriptions.models import Subscription

    states = queries.subscription_states(record)
    may_change = (has_capability(request.user, "marketing.manage")
                  and can(request.user, "edit", record))
    log = list(queries.consent_log(record)[:LOG_LENGTH + 1])
    return {"contact": record, "states": states,
            "suppression": queries.suppression_of(record.email),
            "log": log[:LOG_LENGTH], "more_log": len(log) > LOG_LENGTH,
            "may_change": may_change, "statuses": Subscription.Status.choices}


def register() -> None:
    register_record_panel(RecordPanel(
        name="subscriptions", template="subscriptions/record_panel.html",
        context=subscriptions_panel, types=("contact",), order=60))


register()
