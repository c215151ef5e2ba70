"""Consent: subscription types, subscriptions, the suppression list and the consent log."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "clarion.subscriptions"
    label = "subscriptions"
    verbose_name = _("Subscriptions and consent")

    def ready(self) -> None:
        from clarion.subscriptions import (
            merge,
            ui,  # noqa: F401  (registers the contact panel)
        )
        from clarion.subscriptions.describers import register_describers

        register_describers()
        merge.register()
