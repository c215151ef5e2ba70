"""Emails sent back to us — by the inbound endpoint or fetched from the bounce mailbox — routed
to what they report: a bounce, a complaint, an unsubscribe request, or nothing we act on
(kept for a person to look at).

Each email is processed once: its `Notice` row (keyed by the email's own Message-ID, or a
hash of its bytes) is inserted in the same transaction as the effect, so the same DSN read
twice, or read from the mailbox and posted to the endpoint, changes nothing the second time.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction

from clarion.sending.tokens import message_pk_from_token
from clarion.tracking import dsn, queries, services
from clarion.tracking.models import Notice

logger = logging.getLogger(__name__)

MAX_KEPT_BYTES = 256 * 1024  # raw text kept for inspection, per email


def process_raw_email(raw: bytes, *, source: str) -> Notice | None:
    """Route one raw RFC 5322 email; its Notice, or None when it was processed before."""
    report = dsn.parse_report(raw)
    key = _key(raw, report)
    if Notice.objects.filter(key=key).exists():
        return None
    facts = _message_for(report)
    notice = Notice(key=key, source=source, kind=report.kind,
                    message_id=facts["id"] if facts else None,
                    email=(report.recipient or (facts or {}).get("email", ""))[:254],
                    summary=_summary(report)[:255], diagnostic=report.diagnostic[:2000])
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
        except IntegrityError:  # the same email, processed concurrently
            return None
        handled = _apply(report, facts, raw)
        if not handled:
            notice.raw = raw[:MAX_KEPT_BYTES].decode("utf-8", "replace")
            notice.save(update_fields=["raw"])
    return notice


def _apply(report: dsn.Report, facts: dict | None, raw: bytes) -> bool:
    """Act on the report; False when it led nowhere (then its text is kept)."""
    if report.kind == dsn.UNSUBSCRIBE:
        return _handle_unsubscribe(raw)
    if facts is None or report.kind not in {dsn.BOUNCE, dsn.COMPLAINT, dsn.DELAY,
                                            dsn.DELIVERED}:
        return False
    if report.kind == dsn.DELIVERED:
        services.record_delivery(facts["id"])
    elif report.kind == dsn.BOUNCE:
        services.record_bounce(facts["id"], bounce=report.bounce,
                               diagnostic=report.diagnostic, status=report.status)
    elif report.kind == dsn.COMPLAINT:
        services.record_complaint(facts["id"], feedback_type=report.feedback_type or "abuse")
    return True


def _handle_unsubscribe(raw: bytes) -> bool:
    from clarion.subscriptions import services as consent

    handler = getattr(consent, "handle_unsubscribe_email", None)
    return bool(handler(raw)) if handler is not None else False


def _message_for(report: dsn.Report) -> dict | None:
    """The message a report is about: by its Message-ID, else by a token in its text."""
    if report.original_message_id:
        facts = queries.message_facts_by_message_id(report.original_message_id)
        if facts is not None:
            return facts
    for token in report.tokens:
        pk = message_pk_from_token(token)
        facts = queries.message_facts(pk) if pk else None
        if facts is not None:
            return facts
    return None


def _key(raw: bytes, report: dsn.Report) -> str:
    if report.report_id:
        return "mail:id:" + hashlib.sha256(report.report_id.strip().encode()).hexdigest()
    return "mail:sha:" + hashlib.sha256(raw).hexdigest()


def _summary(report: dsn.Report) -> str:
    if report.kind == dsn.BOUNCE:
        return f"{report.bounce} {report.status}".strip()
    if report.kind == dsn.COMPLAINT:
        return report.feedback_type
    return report.status
