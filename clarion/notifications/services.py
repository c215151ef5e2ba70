"""Every write of the notification centre: notify someone, mark read, change preferences,
send the emails.

    from clarion.notifications.services import notify, register_kind

`notify` is what other apps call; it respects the recipient's preference for the kind, is
exactly-once per `dedupe_key`, and never puts content of a record the recipient may not see
into the notification.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clarion.accounts.models import display_name
from clarion.notifications.kinds import KINDS, default_channel, register_kind
from clarion.notifications.models import Channel, Notification, NotificationPreference

__all__ = ["channel_for", "mark_all_read", "mark_read", "notify", "register_kind",
           "register_target_visibility", "set_preference", "unread_count"]

logger = logging.getLogger(__name__)

TITLE_MAX = 300


def channel_for(user, kind: str) -> str:
    """The user's channel for `kind`: their preference, else the kind's default."""
    chosen = (NotificationPreference.objects.filter(user=user, kind=kind)
              .values_list("channel", flat=True).first())
    return chosen or default_channel(kind)


def recipient_language(user) -> str:
    """Users choose a language on their profile (`User.language`); empty means the site's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


# Apps whose models decide visibility outside core.permissions (tasks…) register a check
# `(user, obj) -> bool` for their model label ("tasks.Task").
TARGET_VISIBILITY: dict[str, Callable] = {}


def register_target_visibility(model_label: str, check: Callable) -> None:
    TARGET_VISIBILITY[model_label] = check


def target_hidden_from(recipient, target: models.Model | None) -> bool:
    """True when the recipient may not view `target`: a record with access rules
    (`capability_area`, decided by core.permissions) or a model with a registered check."""
    if target is None:
        return False
    check = TARGET_VISIBILITY.get(target._meta.label)
    if check is not None:
        return not check(recipient, target)
    if not hasattr(type(target), "capability_area"):
        return False
    from clarion.core.permissions import can

    return not can(recipient, "view", target)


def _hidden_title(kind: str, actor) -> str:
    if "mention" in kind:
        return _("%(actor)s mentioned you on a record you can't open") % {
            "actor": display_name(actor)}
    return _("%(actor)s notified you about a record you can't open") % {
        "actor": display_name(actor)}


def _render_title(title, kind: str, actor) -> str:
    text = title() if callable(title) else str(title or "")
    if not text:
        text = _("%(actor)s: %(what)s") % {"actor": display_name(actor),
                                           "what": KINDS[kind].label if kind in KINDS else kind}
    return str(text)[:TITLE_MAX]


def _target_url(target: models.Model | None, url: str) -> str:
    if url or target is None:
        return url
    absolute = getattr(target, "get_absolute_url", None)
    return absolute() if absolute else ""


def notify(recipient, kind: str, *, actor=None, target: models.Model | None = None,
           url: str = "", title: str | Callable[[], str] = "",
           dedupe_key: str | None = None) -> Notification | None:
    """Tell `recipient` about something.

    Creates the in-app notification unless the recipient turned `kind` off, then emails it
    right away (in the background) or leaves it for the daily digest, as they chose. `title`
    is a short sentence; pass a lazy translation or a callable so it is rendered in the
    recipient's language. Returns None when nothing was created: the kind is off, the
    recipient is the actor, or `dedupe_key` was used before (so reminders are sent once).
    """
    if recipient is None or not getattr(recipient, "is_active", True):
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    channel = channel_for(recipient, kind)
    if channel == Channel.OFF:
        return None
    with translation.override(recipient_language(recipient)):
        if target_hidden_from(recipient, target):
            text, link = _hidden_title(kind, actor), ""
        else:
            text, link = _render_title(title, kind, actor), _target_url(target, url)
    notification = Notification(
        recipient=recipient, kind=kind, actor=actor, title=text, url=link, delivery=channel,
        dedupe_key=dedupe_key or None,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None)
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if channel == Channel.EMAIL:
        transaction.on_commit(lambda: _enqueue_email(notification.pk), robust=True)
    transaction.on_commit(lambda: _announce(notification.recipient_id), robust=True)
    return notification


def _enqueue_email(notification_id: int) -> None:
    from clarion.notifications.tasks import send_notification_email

    send_notification_email.enqueue(notification_id)


def _announce(user_id: int) -> None:
    from clarion.notifications.live import announce_unread

    announce_unread(user_id)


# --- Reading --------------------------------------------------------------------------------


def unread_count(user) -> int:
    return unread_count_for_id(user.pk)


def unread_count_for_id(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def mark_read(notification: Notification, *, user) -> Notification:
    """Mark one of the user's notifications read; someone else's raises PermissionError."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at)
        transaction.on_commit(lambda: _announce(user.pk), robust=True)
    return notification


def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now())
    if count:
        transaction.on_commit(lambda: _announce(user.pk), robust=True)
    return count


# --- Preferences ----------------------------------------------------------------------------


@transaction.atomic
def set_preference(*, user, kind: str, channel: str) -> None:
    """Choose how `kind` reaches `user`; choosing the kind's default removes the row."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if channel == default_channel(kind):
        NotificationPreference.objects.filter(user=user, kind=kind).delete()
        return
    NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                    defaults={"channel": channel})
