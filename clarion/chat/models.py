"""Conversations (team channels, channels, direct messages, record discussions), who is in
them with how far they have read, and their messages."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    class Kind(models.TextChoices):
        TEAM = "team", _("Team channel")
        CHANNEL = "channel", _("Channel")
        DIRECT = "direct", _("Direct message")
        RECORD = "record", _("Record discussion")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True)
    topic = models.CharField(_("topic"), max_length=250, blank=True)
    is_private = models.BooleanField(_("private"), default=False)
    # A team channel's team; its members are the team's members.
    team = models.OneToOneField("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="chat_channel")
    # A record discussion's record ("contact", "company" or "deal" and its id).
    record_type = models.CharField(_("record type"), max_length=20, blank=True)
    record_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    # A direct message's sorted member ids ("3,7"), so the same people reuse one thread.
    direct_key = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Sidebars list conversations by their latest activity.
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now,
                                           db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"],
                                    condition=Q(kind="record"),
                                    name="chat_one_discussion_per_record"),
            models.UniqueConstraint(fields=["direct_key"], condition=Q(kind="direct"),
                                    name="chat_one_direct_per_people"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.pk}"

    @property
    def is_direct(self) -> bool:
        return self.kind == self.Kind.DIRECT

    @property
    def is_record(self) -> bool:
        return self.kind == self.Kind.RECORD


class Membership(models.Model):
    """A person in a conversation; `last_read_id` is the newest message they have read."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="chat_memberships")
    last_read_id = models.PositiveBigIntegerField(_("last read message"), default=0)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [models.UniqueConstraint(fields=["conversation", "user"],
                                               name="chat_one_membership_per_user")]


class Message(models.Model):
    """Plain text with mention tokens (`@[Name](user:ID)`); rendered escaped."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="chat_messages")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["conversation", "id"], name="chat_message_conv_id")]

    def __str__(self) -> str:
        # Never the text: generic pages (logs, feeds) must not show what was said.
        return f"chat message {self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
