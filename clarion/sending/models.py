"""The send engine's data: who sends, what is being sent, and one message per recipient.

A `Send` is one email (one or more variants) going to a set of contacts. Resolving it writes
one `Message` per (send, contact) by one set-based INSERT … SELECT, including SKIPPED rows for
the contacts left out and why, so "why did or didn't this contact get this email" is one row.
Workers claim QUEUED/DEFERRED messages whose `due_at` has come with SKIP LOCKED, mark them
SENDING with a lease and commit before talking SMTP (ARCHITECTURE.md, mechanism 4).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SenderIdentity(models.Model):
    name = models.CharField(_("name"), max_length=120)
    from_name = models.CharField(_("from name"), max_length=120)
    from_email = models.EmailField(_("from address"))
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    # The footer's postal address, required by anti-spam law (CAN-SPAM, CASL).
    postal_address = models.TextField(_("postal address"))
    is_default = models.BooleanField(_("default sender"), default=False)
    # DKIM signing: when a private key is set, every message from this sender is signed.
    dkim_domain = models.CharField(_("DKIM domain"), max_length=255, blank=True)
    dkim_selector = models.CharField(_("DKIM selector"), max_length=63, blank=True)
    dkim_private_key = models.TextField(_("DKIM private key (PEM)"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("sender identity")
        verbose_name_plural = _("sender identities")

    def __str__(self) -> str:
        return f"{self.from_name} <{self.from_email}>"


class Send(models.Model):
    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        TEST = "test", _("Test send")
        AUTOMATION = "automation", _("Automated email")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RESOLVING = "resolving", _("Choosing recipients")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Sent")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices,
                            default=Kind.CAMPAIGN)
    name = models.CharField(_("name"), max_length=200)
    sender = models.ForeignKey(SenderIdentity, verbose_name=_("sender"), null=True,
                               on_delete=models.PROTECT, related_name="sends")
    subscription_type = models.ForeignKey("subscriptions.SubscriptionType",
                                          verbose_name=_("subscription type"), null=True,
                                          blank=True, on_delete=models.PROTECT,
                                          related_name="sends")
    # The compiled variants, frozen when the send starts: a list of
    # {"subject", "preheader", "html", "text", "links": [url, …]}; html and text still hold
    # the personalization tokens, rendered per recipient.
    variants = models.JSONField(_("variants"), default=list, blank=True)
    track_opens = models.BooleanField(_("track opens"), default=True)
    track_clicks = models.BooleanField(_("track clicks"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Filled by resolution: how many messages, and how many contacts were left out and why.
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    excluded = models.JSONField(_("left out, by reason"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("send")
        verbose_name_plural = _("sends")

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held for the A/B winner")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DEFERRED = "deferred", _("Deferred")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")
        CANCELLED = "cancelled", _("Cancelled")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="messages",
                             db_index=False)  # the unique constraint's index leads with it
    # SET_NULL: a deleted contact's messages still count in the campaign's report.
    contact = models.ForeignKey("crm.Contact", null=True, on_delete=models.SET_NULL,
                                related_name="email_messages", db_index=False)
    email = models.CharField(_("address"), max_length=254)
    domain = models.CharField(_("domain"), max_length=255, blank=True)  # for per-domain limits
    variant = models.PositiveSmallIntegerField(_("variant"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    # Why a message was skipped or failed: a short code (suppressed, unsubscribed,
    # no_consent, no_email, duplicate_address, hard_bounce, rejected, …).
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    # When it may be sent: now, a scheduled time, the recipient's local time, or a retry.
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Attempts whose outcome nobody knows: the worker stopped mid-conversation (its lease
    # expired) or the connection dropped after the message's data was sent. The retry carries
    # the same Message-ID, so a receiver that already took it can drop the copy; reports show
    # these apart instead of hiding a possible duplicate.
    uncertain_attempts = models.PositiveSmallIntegerField(_("attempts with unknown outcome"),
                                                          default=0)
    # Deterministic per (send, contact): a retried delivery carries the same Message-ID.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    smtp_code = models.PositiveSmallIntegerField(_("SMTP code"), null=True, blank=True)
    smtp_response = models.TextField(_("SMTP answer"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What happened after it left (clarion/tracking): firsts and counts for reports.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("opens"), default=0)
    machine_open_count = models.PositiveIntegerField(_("machine opens"), default=0)
    clicked_at = models.DateTimeField(_("first clicked"), null=True, blank=True)
    click_count = models.PositiveIntegerField(_("clicks"), default=0)
    # Link scanners' clicks: counted apart, kept out of engagement metrics and scoring.
    machine_click_count = models.PositiveIntegerField(_("machine clicks"), default=0)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    bounce_kind = models.CharField(_("bounce"), max_length=4, blank=True)  # "hard" / "soft"
    complained_at = models.DateTimeField(_("complained"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [models.UniqueConstraint(fields=["send", "contact"],
                                               name="message_once_per_contact")]
        indexes = [
            # What workers claim: only the few rows still to send are in this index.
            models.Index(fields=["due_at"], name="message_claimable",
                         condition=Q(status__in=["queued", "deferred"])),
            models.Index(fields=["lease_until"], name="message_leased",
                         condition=Q(status="sending")),
            models.Index(fields=["send", "status"], name="message_send_status"),
            models.Index(fields=["contact", "send"], name="message_contact"),
            models.Index(fields=["message_id"], name="message_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"
