"""The timeline's sentences for campaign events (subject = the campaign)."""

from django.utils.translation import gettext as _

from clarion.crm.extensions import register_describer

SENTENCES = {
    "campaign.created": lambda: _("Campaign “%(name)s” created"),
    "campaign.updated": lambda: _("Campaign “%(name)s” changed"),
    "campaign.deleted": lambda: _("Campaign “%(name)s” deleted"),
    "campaign.scheduled": lambda: _("Campaign “%(name)s” scheduled"),
    "campaign.unscheduled": lambda: _("Campaign “%(name)s” taken off the schedule"),
    "campaign.launched": lambda: _("Campaign “%(name)s” started sending"),
    "campaign.launch_failed": lambda: _("Campaign “%(name)s” could not start at its "
                                        "scheduled time"),
    "campaign.paused": lambda: _("Campaign “%(name)s” paused"),
    "campaign.resumed": lambda: _("Campaign “%(name)s” resumed"),
    "campaign.cancelled": lambda: _("Campaign “%(name)s” cancelled"),
    "campaign.winner_picked": lambda: _("Campaign “%(name)s”: A/B test winner picked"),
    "campaign.sent": lambda: _("Campaign “%(name)s” sent"),
}
KINDS = tuple(SENTENCES)


def describe(event) -> str:
    sentence = SENTENCES.get(event.kind)
    name = (event.data or {}).get("name", "?")
    if sentence is None:
        return _("Campaign “%(name)s”: %(what)s") % {
            "name": name, "what": event.kind.split(".", 1)[-1].replace("_", " ")}
    return sentence() % {"name": name}


def register_describers() -> None:
    for kind in KINDS:
        register_describer(kind, describe)
    register_describer("campaign.", describe)
