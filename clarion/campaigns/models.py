"""Campaigns: a one-off broadcast of an email to lists and segments.

A campaign is what a marketer edits; when it goes out it gets one `sending.Send`, whose
variants are the campaign's A/B variants (or its one email) and whose messages are the report.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        TESTING = "testing", _("A/B test running")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        SENT = "sent", _("Sent")

    class Schedule(models.TextChoices):
        NOW = "now", _("Send now")
        AT = "at", _("At a set time")
        RECIPIENT_TIME = "recipient_time", _("At a time in each recipient's time zone")

    class ABTest(models.TextChoices):
        NONE = "none", _("No test")
        SUBJECT = "subject", _("Subject lines")
        CONTENT = "content", _("Content")

    class WinnerMetric(models.TextChoices):
        OPENS = "opens", _("Open rate")
        CLICKS = "clicks", _("Click rate")

    name = models.CharField(_("name"), max_length=200)
    email = models.ForeignKey("emails.Email", verbose_name=_("email"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="campaigns")
    sender = models.ForeignKey("sending.SenderIdentity", verbose_name=_("sender"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="campaigns")
    subscription_type = models.ForeignKey("subscriptions.SubscriptionType",
                                          verbose_name=_("subscription type"), null=True,
                                          blank=True, on_delete=models.PROTECT,
                                          related_name="campaigns")
    include_segments = models.ManyToManyField("segments.Segment", blank=True,
                                              verbose_name=_("send to"), related_name="+")
    exclude_segments = models.ManyToManyField("segments.Segment", blank=True,
                                              verbose_name=_("leave out"), related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    schedule = models.CharField(_("when"), max_length=15, choices=Schedule.choices,
                                default=Schedule.NOW)
    # AT: the moment. RECIPIENT_TIME: its date and wall-clock time are read in each
    # recipient's time zone (contacts without one use `fallback_time_zone`).
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    fallback_time_zone = models.CharField(_("time zone for contacts without one"),
                                          max_length=64, blank=True)
    track_opens = models.BooleanField(_("track opens"), default=True)
    track_clicks = models.BooleanField(_("track clicks"), default=True)
    # A/B test: variants are CampaignVariant rows. With test_percent < 100 the variants go
    # to that share first and the winner to the rest after `winner_wait`; at 100 the whole
    # send is split between them.
    ab_test = models.CharField(_("A/B test"), max_length=10, choices=ABTest.choices,
                               default=ABTest.NONE)
    test_percent = models.PositiveSmallIntegerField(_("test group (% of recipients)"),
                                                    default=20)
    winner_metric = models.CharField(_("pick the winner by"), max_length=10,
                                     choices=WinnerMetric.choices, default=WinnerMetric.OPENS)
    winner_wait = models.DurationField(_("wait before picking the winner"), null=True,
                                       blank=True)
    winner_variant = models.PositiveSmallIntegerField(_("winning variant"), null=True,
                                                      blank=True)
    winner_decided_at = models.DateTimeField(_("winner picked"), null=True, blank=True)
    # The A/B result as decided: {"p_value", "confidence", "significant", "method",
    # "variants": [{"position", "recipients", "successes", "rate"}, …]} (see stats.py).
    winner_result = models.JSONField(_("A/B test result"), default=dict, blank=True)
    # When the scheduler launches it: `scheduled_for` for AT; for RECIPIENT_TIME the first
    # moment any time zone reaches the chosen wall-clock time. Null until scheduled.
    launch_at = models.DateTimeField(_("launches at"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    send = models.OneToOneField("sending.Send", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="campaign")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["launch_at"], name="campaign_due_launch",
                                condition=models.Q(status="scheduled"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_ab(self) -> bool:
        return self.ab_test != self.ABTest.NONE

    @property
    def is_live(self) -> bool:
        """Messages may still be going out (or held for the winner)."""
        return self.status in (self.Status.SENDING, self.Status.TESTING, self.Status.PAUSED)


class CampaignVariant(models.Model):
    """One side of an A/B test: its own subject, or its own email."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField(default=0)  # = Message.variant
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    email = models.ForeignKey("emails.Email", verbose_name=_("email"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["campaign", "position"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [models.UniqueConstraint(fields=["campaign", "position"],
                                               name="campaign_variant_position")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.position}"
