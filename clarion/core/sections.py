"""The sections of the app shell, in navigation order, with what each will hold."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise
    icon: str
    summary: Promise
    url_name: str = ""  # the section's own page once it has one; else its empty state

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else reverse("core:section",
                                                                     args=[self.slug])


SECTIONS: tuple[Section, ...] = (
    Section("contacts", _("Contacts"), "users",
            _("Contacts, companies and deals, with custom properties, list views and one "
              "timeline per record."), "crm:contact_list"),
    Section("deals", _("Deals"), "columns",
            _("Pipelines with stages and win probabilities, on a drag-and-drop board."),
            "crm:deal_list"),
    Section("tasks", _("Tasks"), "check",
            _("Tasks, notes, calls, meetings, comments with mentions and team chat."),
            "tasks:list"),
    Section("chat", _("Chat"), "message-square",
            _("Team channels, direct messages and a discussion on every record."), "chat:home"),
    Section("email", _("Email"), "mail",
            _("A drag-and-drop email builder, templates, campaigns and A/B tests."),
            "campaigns:list"),
    Section("segments", _("Segments"), "filter",
            _("Static lists and live behavioural segments."), "segments:list"),
    Section("automation", _("Automation"), "zap",
            _("Visual workflows, triggers, branches and sales sequences.")),
    Section("capture", _("Forms & pages"), "layout",
            _("Forms, landing pages, pop-ups and website tracking.")),
    Section("scoring", _("Lead scoring"), "star",
            _("Fit and engagement scores with a ledger that explains every point.")),
    Section("service", _("Service"), "life-buoy",
            _("Tickets, a shared inbox, live chat and a knowledge base.")),
    Section("reports", _("Reports"), "bar-chart",
            _("Dashboards, a report builder and forecasts.")),
    Section("integrations", _("Integrations"), "link",
            _("Webhooks, import and export, and connectors."), "integrations:home"),
)

SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
