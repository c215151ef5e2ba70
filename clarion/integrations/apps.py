from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "clarion.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from clarion.integrations import ui
        from clarion.integrations.describers import register_describers

        ui.register()
        register_describers()
