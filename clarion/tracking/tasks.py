"""Background entry points of tracking: polling the bounce mailbox."""

import logging

from django.tasks import task

from clarion.tracking.mailbox import MailboxError, poll_bounce_mailbox
from clarion.tracking.services import prune_routine_notices

logger = logging.getLogger(__name__)


@task()
def poll_bounces() -> dict:
    """Process the bounce mailbox's new emails; safe to run twice or concurrently (each
    email is processed once, by its key)."""
    try:
        return poll_bounce_mailbox()
    except MailboxError:
        logger.exception("Could not read the bounce mailbox")
        return {"error": 1}


@task()
def prune_notices() -> int:
    """Forget old routine email service events (their effects stay on the messages)."""
    return prune_routine_notices()
