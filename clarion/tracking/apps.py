"""What happens to a message after it leaves: opens, clicks, bounces and complaints."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "clarion.tracking"
    label = "tracking"
    verbose_name = _("Email tracking")
