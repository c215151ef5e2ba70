"""The contact timeline's sentences for segment events."""

from django.utils.translation import gettext as _

from clarion.crm.extensions import register_describer


def describe_joined(event) -> str:
    return _("Joined the segment “%(name)s”") % {"name": (event.data or {}).get("name", "?")}


def describe_left(event) -> str:
    return _("Left the segment “%(name)s”") % {"name": (event.data or {}).get("name", "?")}


def describe_other(event) -> str:
    return _("Segment “%(name)s”: %(what)s") % {
        "name": (event.data or {}).get("name", "?"),
        "what": event.kind.split(".", 1)[-1].replace("_", " ")}


def register_describers() -> None:
    register_describer("segment.joined", describe_joined)
    register_describer("segment.left", describe_left)
    register_describer("segment.", describe_other)
