"""Campaigns: one-off broadcasts to lists and segments, scheduled, A/B tested and reported."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "clarion.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from clarion.campaigns.describers import register_describers
        from clarion.campaigns.tasks import register_jobs

        register_describers()
        register_jobs()
        from clarion.campaigns import panels  # noqa: F401  (the contacts' "Marketing email" card)
