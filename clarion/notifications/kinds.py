"""The notification kinds apps announce, shown on the preferences page with their default."""

from dataclasses import dataclass

from clarion.notifications.models import Channel


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # a lazy translation
    default: str = Channel.IN_APP


KINDS: dict[str, Kind] = {}


def register_kind(kind: str, label, default: str = Channel.IN_APP) -> Kind:
    """Announce a notification kind ("task.assigned") with its label and default channel
    ("in_app", "email" or "digest"); call it from your AppConfig.ready()."""
    if default not in (Channel.IN_APP, Channel.EMAIL, Channel.DIGEST):
        raise ValueError(f"default channel must be in_app, email or digest, not {default!r}")
    KINDS[kind] = Kind(kind, label, Channel(default))
    return KINDS[kind]


def default_channel(kind: str) -> str:
    registered = KINDS.get(kind)
    return registered.default if registered else Channel.IN_APP


def kind_label(kind: str) -> str:
    registered = KINDS.get(kind)
    return str(registered.label) if registered else kind.replace(".", " ").replace("_", " ")
