"""The contact timeline's sentences for what happened to an email after it left."""

from django.utils.translation import gettext as _

from clarion.crm.extensions import register_describer


def _name(event) -> str:
    # From the event's data, not its subject: a timeline page loads no send per event.
    return (event.data or {}).get("name") or _("an email")


def describe_delivered(event) -> str:
    return _("“%(name)s” was delivered") % {"name": _name(event)}


def describe_bounced(event) -> str:
    data = event.data or {}
    if data.get("bounce") == "hard":
        sentence = _("“%(name)s” bounced: the address does not accept email")
    else:
        sentence = _("“%(name)s” bounced temporarily")
    sentence = sentence % {"name": _name(event)}
    diagnostic = (data.get("diagnostic") or "").strip()
    return f"{sentence} ({diagnostic[:160]})" if diagnostic else sentence


def describe_opened(event) -> str:
    return _("Opened “%(name)s”") % {"name": _name(event)}


def describe_clicked(event) -> str:
    return _("Clicked %(url)s in “%(name)s”") % {
        "url": (event.data or {}).get("url", "?"), "name": _name(event)}


def describe_complained(event) -> str:
    return _("Marked “%(name)s” as spam") % {"name": _name(event)}


def register_describers() -> None:
    register_describer("email.delivered", describe_delivered)
    register_describer("email.bounced", describe_bounced)
    register_describer("email.opened", describe_opened)
    register_describer("email.clicked", describe_clicked)
    register_describer("email.complained", describe_complained)
