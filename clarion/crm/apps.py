from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "clarion.crm"
    label = "crm"
    verbose_name = _("CRM")

    def ready(self) -> None:
        from clarion.crm import live  # noqa: F401  (registers the live-update event handlers)
