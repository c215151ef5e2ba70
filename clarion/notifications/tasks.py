"""Background entry points: one notification's email, and the daily digest.

Both claim their rows with conditional updates or unique rows before sending, so a task run
twice (a re-delivered Celery message, two schedulers) never sends twice."""

import logging
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clarion.notifications.models import Channel, DigestRun, Notification

logger = logging.getLogger(__name__)

# Digests go out with the first run at or after this hour (UTC) each day.
DIGEST_HOUR = 7


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _send(*, user, template: str, context: dict) -> None:
    from clarion.notifications.services import recipient_language

    with translation.override(recipient_language(user)):
        context = {**context, "user": user, "site_url": settings.SITE_URL}
        subject = "".join(render_to_string(f"notifications/email/{template}_subject.txt",
                                           context).splitlines())
        message = EmailMultiAlternatives(
            subject, render_to_string(f"notifications/email/{template}.txt", context),
            to=[user.email])
        message.attach_alternative(
            render_to_string(f"notifications/email/{template}.html", context), "text/html")
    message.send()


@task()
def send_notification_email(notification_id: int) -> bool:
    """Email one notification, once: the `emailed_at` stamp is claimed before sending and
    released again if the mail server refuses, so a retry can send it."""
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=claimed_at)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient", "actor").get(
        pk=notification_id)
    try:
        _send(user=notification.recipient, template="notification",
              context={"notification": notification, "url": _absolute(notification.url)})
    except Exception:
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(
            emailed_at=None)
        raise
    return True


def digest_day(now: datetime) -> date | None:
    """The day whose digest is due at `now`, or None before the digest hour."""
    if now.astimezone(UTC).time() < time(DIGEST_HOUR):
        return None
    return now.astimezone(UTC).date()


def _pending_digest(user_id: int, now: datetime):
    return Notification.objects.filter(recipient_id=user_id, delivery=Channel.DIGEST,
                                       emailed_at__isnull=True, created_at__lte=now)


def send_digest(user, *, day, now: datetime) -> bool:
    """Send `user` the digest of `day` unless it was sent already; True when sent."""
    pending = list(_pending_digest(user.pk, now).filter(read_at__isnull=True)
                   .select_related("actor").order_by("created_at", "id"))
    if not pending:
        return False
    try:
        with transaction.atomic():
            DigestRun.objects.create(user=user, day=day, sent_at=now)
            _pending_digest(user.pk, now).update(emailed_at=now)
    except IntegrityError:
        return False  # already sent today (another run got there first)
    try:
        _send(user=user, template="digest",
              context={"notifications": [(n, _absolute(n.url)) for n in pending], "day": day})
    except Exception:
        # Release the claim so the next run tries again.
        DigestRun.objects.filter(user=user, day=day, sent_at=now).delete()
        Notification.objects.filter(recipient=user, delivery=Channel.DIGEST,
                                    emailed_at=now).update(emailed_at=None)
        raise
    return True


@task()
def send_daily_digests(now: str | None = None) -> int:
    """Send each person with unread digest notifications one email a day; returns how many."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    day = digest_day(moment)
    if day is None:
        return 0
    already = DigestRun.objects.filter(day=day).values("user_id")
    user_ids = (Notification.objects.filter(delivery=Channel.DIGEST, emailed_at__isnull=True,
                                            read_at__isnull=True, created_at__lte=moment)
                .exclude(recipient_id__in=already).values_list("recipient_id", flat=True)
                .distinct())
    sent = 0
    for user in get_user_model().objects.filter(pk__in=list(user_ids), is_active=True):
        try:
            sent += send_digest(user, day=day, now=moment)
        except Exception:
            logger.exception("Could not send the daily digest to %s", user.email)
    return sent
