"""The send engine: sender identities, sends and one message per recipient, delivered once."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SendingConfig(AppConfig):
    name = "clarion.sending"
    label = "sending"
    verbose_name = _("Sending")
