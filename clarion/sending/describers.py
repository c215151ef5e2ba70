"""The contact timeline's sentences for what the send engine did."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clarion.crm.extensions import register_describer

REASONS = {
    "hard_bounce": gettext_lazy("the address does not exist"),
    "rejected": gettext_lazy("the receiving server refused it"),
    "retries_exhausted": gettext_lazy("the receiving server could not be reached in time"),
    "render_error": gettext_lazy("its personalization could not be filled in"),
}


def describe_sent(event) -> str:
    subject = (event.data or {}).get("subject") or "?"
    return _("Was sent the email “%(subject)s”") % {"subject": subject}


def describe_failed(event) -> str:
    reason = (event.data or {}).get("reason", "")
    return _("An email could not be delivered: %(reason)s") % {
        "reason": str(REASONS.get(reason, reason or _("unknown reason")))}


def register_describers() -> None:
    register_describer("email.sent", describe_sent)
    register_describer("email.failed", describe_failed)
