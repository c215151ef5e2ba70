"""The contact timeline's sentences for consent events."""

from django.utils.translation import gettext as _

from clarion.accounts.models import display_name
from clarion.crm.extensions import register_describer
from clarion.subscriptions.models import ConsentRecord

METHODS = dict(ConsentRecord.Method.choices)


def _how(data: dict) -> str:
    return str(METHODS.get(data.get("method", ""), data.get("method", "")))


def describe_changed(event) -> str:
    data = event.data or {}
    name = data.get("subscription_type_name") or "?"
    status, how = data.get("status"), _how(data)
    actor = display_name(event.actor) if event.actor_id else ""
    if status == "suppressed":
        sentence = _("Their address was added to the suppression list (%(how)s)")
    elif status == "unsuppressed":
        sentence = _("Their address was removed from the suppression list (%(how)s)")
    elif status == "subscribed":
        sentence = _("Subscribed to “%(name)s” (%(how)s)")
    elif status == "pending":
        sentence = _("Asked to confirm their subscription to “%(name)s” (%(how)s)")
    else:
        sentence = _("Unsubscribed from “%(name)s” (%(how)s)")
    text = sentence % {"name": name, "how": how}
    if actor:
        text = _("%(actor)s: %(what)s") % {"actor": actor, "what": text}
    return text


def describe_unsubscribed(event) -> str:
    data = event.data or {}
    name = data.get("subscription_type_name")
    if data.get("subscription_type_id") is None or not name:
        return _("Used an email's unsubscribe link to stop all email (%(how)s)") % {
            "how": _how(data)}
    return _("Used an email's unsubscribe link to leave “%(name)s” (%(how)s)") % {
        "name": name, "how": _how(data)}


def register_describers() -> None:
    register_describer("subscription.changed", describe_changed)
    register_describer("email.unsubscribed", describe_unsubscribed)
