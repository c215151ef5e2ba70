"""What the API keeps between requests: the answers to POSTs sent with an `Idempotency-Key`,
so a client that retries a create gets the first answer again instead of a duplicate."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` a user sent, and the answer their request got."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", db_index=False)  # the unique index leads with it
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"],
                                               name="api_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
