"""Email designs: the block builder, the template library, rendering and personalization."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailsConfig(AppConfig):
    name = "clarion.emails"
    label = "emails"
    verbose_name = _("Email designs")
