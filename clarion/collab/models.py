"""Notes, calls and meetings logged on records; comments with mentions; attachments.

Activities (notes, calls, meetings) link to any number of contacts, companies and deals and
land on each one's timeline. Comments and attachments hang on any target (a record, a task,
a note, a comment) named generically; `targets.py` decides who may see them. Edits keep the
previous version (ActivityRevision, CommentRevision); deletions keep the row, so history
survives.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    LEFT_VOICEMAIL = "left_voicemail", _("Left voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class Activity(models.Model):
    """A note, a logged call or a logged meeting. `body` is HTML sanitized on the way in."""

    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("notes"), blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    # Calls
    outcome = models.CharField(_("outcome"), max_length=20, blank=True,
                               choices=CallOutcome.choices)
    direction = models.CharField(_("direction"), max_length=10, blank=True,
                                 choices=CallDirection.choices)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True,
                                                   blank=True)
    # Meetings
    title = models.CharField(_("title"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    attendee_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                            related_name="+",
                                            verbose_name=_("attending colleagues"))
    attendee_contacts = models.ManyToManyField("crm.Contact", blank=True, related_name="+",
                                               verbose_name=_("attending contacts"))
    # The records it belongs to: it shows on each one's timeline.
    contacts = models.ManyToManyField("crm.Contact", blank=True,
                                      related_name="collab_activities",
                                      verbose_name=_("contacts"))
    companies = models.ManyToManyField("crm.Company", blank=True,
                                       related_name="collab_activities",
                                       verbose_name=_("companies"))
    deals = models.ManyToManyField("crm.Deal", blank=True, related_name="collab_activities",
                                   verbose_name=_("deals"))

    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["author", "-created_at"], name="collab_activity_author")]

    def __str__(self) -> str:
        if self.kind == ActivityKind.MEETING and self.title:
            return self.title
        return str(self.get_kind_display())

    def get_absolute_url(self) -> str:
        return reverse("collab:activity_detail", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ActivityRevision(models.Model):
    """The activity as it was before one edit (or before its deletion)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="revisions")
    snapshot = models.JSONField(default=dict)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]


class Comment(models.Model):
    """A comment on any target; a reply has a `parent` (threads are one level deep). `body`
    is plain text with mention tokens (see `mentions.py`)."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # the target index leads with it
    target_id = models.BigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"],
                                name="collab_comment_target")]

    def __str__(self) -> str:
        return self.body[:60]


class CommentRevision(models.Model):
    """A comment's text before one edit."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]


class AttachmentKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Attachment(models.Model):
    """A stored file or a link, on any target. Files are served only through the
    permission-checked download view, never from a public URL."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)
    target_id = models.BigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    kind = models.CharField(_("type"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", blank=True,
                            max_length=300)
    name = models.CharField(_("name"), max_length=255)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"],
                                name="collab_attachment_target")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"
