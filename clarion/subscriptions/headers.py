"""The RFC 2369 / RFC 8058 headers that let a mail client unsubscribe with one click.

    List-Unsubscribe: <https://…/email/u/TOKEN/>,
                      <mailto:unsubscribe@DOMAIN?subject=unsubscribe-TOKEN>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

The mail client POSTs `List-Unsubscribe=One-Click` to the https URL, with no cookie and no
login (views.unsubscribe); the mailto address is answered by services.handle_unsubscribe_email.
"""

from email.utils import parseaddr

from django.conf import settings

from clarion.subscriptions.links import unsubscribe_url

MAILTO_SUBJECT_PREFIX = "unsubscribe-"


def mailto_address() -> str:
    """CLARION_UNSUBSCRIBE_MAILTO, or unsubscribe@<the domain of DEFAULT_FROM_EMAIL>."""
    configured = settings.CLARION_UNSUBSCRIBE_MAILTO
    if configured:
        return configured
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "clarion@localhost"
    return f"unsubscribe@{address.rpartition('@')[2] or 'localhost'}"


def list_unsubscribe_headers(token: str) -> dict[str, str]:
    """The `List-Unsubscribe` and `List-Unsubscribe-Post` headers of the message with this
    token (a value per header name)."""
    return {
        "List-Unsubscribe": (f"<{unsubscribe_url(token)}>, "
                             f"<mailto:{mailto_address()}?subject="
                             f"{MAILTO_SUBJECT_PREFIX}{token}>"),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
