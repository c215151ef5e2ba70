"""Tasks: something one person (or a team's queue) has to do, by a moment, about records.

A task's due moment is stored in UTC with the time zone it was set in, so "every Monday at
9:00" stays at 9:00 local time across daylight-saving changes. `remind_at` is derived from
the due moment and the chosen reminder so the scheduler finds due reminders with one indexed
range query.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    TODO = "todo", _("To-do")
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Reminder(models.TextChoices):
    """How long before the due moment the assignee is reminded."""

    NONE = "", _("No reminder")
    AT_DUE = "0", _("At the due time")
    MINUTES_15 = "15", _("15 minutes before")
    HOUR_1 = "60", _("1 hour before")
    DAY_1 = "1440", _("1 day before")


class Repeat(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    EVERY_N_DAYS = "days", _("Every N days")


class TaskQueue(models.Model):
    """A team's shared inbox of unassigned tasks: any member may claim one."""

    name = models.CharField(_("name"), max_length=120)
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                             related_name="task_queues")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("task queue")
        verbose_name_plural = _("task queues")
        constraints = [models.UniqueConstraint(fields=["team", "name"],
                                               name="tasks_queue_unique_name_per_team")]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    title = models.CharField(_("title"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=TaskKind.choices,
                            default=TaskKind.TODO)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices,
                                default=Priority.NORMAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_tasks")
    queue = models.ForeignKey(TaskQueue, verbose_name=_("queue"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="tasks")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    reminder = models.CharField(_("reminder"), max_length=5, choices=Reminder.choices,
                                blank=True, default=Reminder.NONE)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    repeat = models.CharField(_("repeat"), max_length=8, choices=Repeat.choices, blank=True,
                              default=Repeat.NONE)
    repeat_interval = models.PositiveSmallIntegerField(_("every how many days"), default=1)
    # The occurrence this one follows; unique, so completing a task creates at most one next.
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="next_occurrence")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    contacts = models.ManyToManyField("crm.Contact", verbose_name=_("contacts"), blank=True,
                                      related_name="tasks")
    companies = models.ManyToManyField("crm.Company", verbose_name=_("companies"),
                                       blank=True, related_name="tasks")
    deals = models.ManyToManyField("crm.Deal", verbose_name=_("deals"), blank=True,
                                   related_name="tasks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # My open tasks by due moment; the scheduler's two sweeps over open tasks.
            models.Index(fields=["assignee", "due_at"], condition=Q(completed_at__isnull=True),
                         name="tasks_open_by_assignee"),
            models.Index(fields=["remind_at"], condition=Q(completed_at__isnull=True,
                                                           reminder_sent_at__isnull=True),
                         name="tasks_reminder_due"),
            models.Index(fields=["due_at"], condition=Q(completed_at__isnull=True,
                                                        overdue_notified_at__isnull=True),
                         name="tasks_overdue_due"),
            models.Index(fields=["queue", "due_at"], condition=Q(completed_at__isnull=True),
                         name="tasks_open_by_queue"),
            models.Index(fields=["assignee", "completed_at"], name="tasks_completed_by_assignee"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(repeat_interval__gte=1),
                                   name="tasks_repeat_interval_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    def reminder_moment(self):
        """When the reminder is due, from the due moment and the chosen reminder."""
        if self.due_at is None or self.reminder == Reminder.NONE:
            return None
        return self.due_at - timedelta(minutes=int(self.reminder))
