"""Reads of tracking: the few facts of a message and its send that the hot public endpoints
and the report processors need, fetched as plain values."""

from django.core.cache import cache

from clarion.sending.models import Message, Send

# Messages that left (or are leaving) us: only these can be opened, clicked or bounce.
OUT_STATUSES = (Message.Status.SENT, Message.Status.SENDING)
MESSAGE_FIELDS = ("id", "send_id", "contact_id", "email", "variant", "status", "sent_at",
                  "opened_at", "bounce_kind")
SEND_FACTS_SECONDS = 3600


def message_facts(pk: int) -> dict | None:
    """The message `pk` if it has been sent, as a dict of MESSAGE_FIELDS."""
    return (Message.objects.filter(pk=pk, status__in=OUT_STATUSES)
            .values(*MESSAGE_FIELDS).first())


def message_facts_by_message_id(message_id: str) -> dict | None:
    """The message whose Message-ID header is `message_id` (with or without <>)."""
    bare = message_id.strip().strip("<>").strip()
    if not bare:
        return None
    return (Message.objects.filter(message_id__in=[bare, f"<{bare}>"])
            .values(*MESSAGE_FIELDS).order_by("-id").first())


def send_facts(send_id: int) -> dict:
    """{"name": …, "campaign_id": …, "links": [[url, …] per variant],
    "subscription_type_id": …}.

    A send's variants are frozen once it has messages, so these are cached: a click redirect
    does not load every variant's HTML from the database."""
    key = f"tracking:send:{send_id}"
    facts = cache.get(key)
    if facts is None:
        row = (Send.objects.filter(pk=send_id)
               .values("name", "variants", "subscription_type_id", "campaign__id", "track_opens",
                       "track_clicks").first()) or {}
        facts = {"name": row.get("name", ""), "track_opens": row.get("track_opens", False),
                 "track_clicks": row.get("track_clicks", False),
                 "campaign_id": row.get("campaign__id"),
                 "subscription_type_id": row.get("subscription_type_id"),
                 "links": [list((variant or {}).get("links") or [])
                           for variant in row.get("variants") or []]}
        cache.set(key, facts, SEND_FACTS_SECONDS)
    return facts


def variant_links(facts: dict, variant: int) -> list[str]:
    """The links of the message's variant (the engine sends the last variant to a message
    whose variant no longer exists, and so does this)."""
    links = facts["links"]
    return links[min(variant, len(links) - 1)] if links and variant >= 0 else []


def delivery_reports(*, kind: str = "", search: str = ""):
    """The received reports, newest first, with the email each is about."""
    from clarion.tracking.models import Notice

    rows = Notice.objects.select_related("message__send").defer("raw")
    if kind:
        rows = rows.filter(kind=kind)
    if search:
        rows = rows.filter(email__icontains=search)
    return rows
