"""Reads of the send engine: a send's progress, and why a contact did or did not get it."""

from django.db.models import Count

from clarion.sending.models import Message, Send, SenderIdentity


def progress(send: Send) -> dict:
    """Counts by status (every status present, zeros included), uncertain attempts, and
    the share done, for live progress."""
    counts = {status: 0 for status in Message.Status.values}
    rows = (Message.objects.filter(send=send).order_by().values("status")
            .annotate(n=Count("pk")).values_list("status", "n"))
    counts.update(dict(rows))
    total = sum(counts.values()) - counts[Message.Status.SKIPPED]
    finished = sum(counts[s] for s in (Message.Status.SENT, Message.Status.FAILED,
                                       Message.Status.CANCELLED))
    uncertain = Message.objects.filter(send=send, uncertain_attempts__gt=0).count()
    return {"send_id": send.pk, "status": send.status, "counts": counts,
            "recipients": total, "excluded": send.excluded, "uncertain": uncertain,
            "percent_done": round(100 * finished / total, 1) if total else 100.0}


def trace(send: Send, contact_id: int) -> dict:
    """Why did or didn't this contact get this email: the message's state, reason, attempts
    and the mail server's last answer; {"found": False} when resolution never chose them."""
    message = Message.objects.filter(send=send, contact_id=contact_id).first()
    if message is None:
        return {"found": False, "send_id": send.pk, "contact_id": contact_id}
    return {
        "found": True, "send_id": send.pk, "contact_id": contact_id, "message": message.pk,
        "email": message.email, "status": message.status,
        "status_label": str(message.get_status_display()), "reason": message.reason,
        "variant": message.variant, "attempts": message.attempts,
        "uncertain_attempts": message.uncertain_attempts, "message_id": message.message_id,
        "due_at": message.due_at, "sent_at": message.sent_at, "smtp_code": message.smtp_code,
        "smtp_response": message.smtp_response, "delivered_at": message.delivered_at,
        "opened_at": message.opened_at, "clicked_at": message.clicked_at,
        "bounced_at": message.bounced_at, "bounce_kind": message.bounce_kind,
        "complained_at": message.complained_at, "unsubscribed_at": message.unsubscribed_at,
    }


def senders():
    return SenderIdentity.objects.all()


def dns_records(sender: SenderIdentity) -> dict:
    """What to publish for this sender: the DKIM TXT record (when it has a key), and SPF and
    DMARC examples for its domain."""
    from clarion.sending import signing

    domain = sender.from_email.rpartition("@")[2].lower()
    records = {"domain": domain, "dkim": None,
               "spf": ("TXT", domain, "v=spf1 include:<your mail provider> ~all"),
               "dmarc": ("TXT", f"_dmarc.{domain}",
                         f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}")}
    if sender.dkim_private_key and sender.dkim_selector:
        try:
            name, value = signing.dns_record(domain=sender.dkim_domain or domain,
                                             selector=sender.dkim_selector,
                                             private_pem=sender.dkim_private_key)
        except signing.InvalidKey:
            return records
        records["dkim"] = ("TXT", name, value)
    return records


def senders_with_use():
    from django.db.models import Count

    return SenderIdentity.objects.annotate(send_count=Count("sends"))
