"""The recipient's own links in every marketing email: unsubscribe and preference centre.

Both carry the message token (clarion.sending.tokens.message_token), so they need no login
and say which send (and so which subscription type) the person is leaving.
"""

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(token: str) -> str:
    return absolute(reverse("subscriptions:unsubscribe", args=[token]))


def preferences_url(token: str) -> str:
    return absolute(reverse("subscriptions:preferences", args=[token]))


def confirm_url(token: str) -> str:
    return absolute(reverse("subscriptions:confirm", args=[token]))


def recipient_links(token: str) -> dict[str, str]:
    """{"unsubscribe_url": …, "preferences_url": …} for the message with this token."""
    return {"unsubscribe_url": unsubscribe_url(token),
            "preferences_url": preferences_url(token)}
