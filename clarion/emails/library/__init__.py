"""The built-in template library: ready-made block documents to start an email from.

Each is validated and rendered through mrml by the test suite. Images are image blocks
without a source (they render nothing until an image from the file library is chosen), so no
template loads anything from another server.
"""

import copy
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from clarion.emails.library import documents


@dataclass(frozen=True)
class LibraryTemplate:
    key: str
    name: Any  # lazily translated
    description: Any
    category: str
    subject: str
    preheader: str
    document: dict

    def new_document(self) -> dict:
        """A copy of the document to edit, never the shared original."""
        return copy.deepcopy(self.document)


TEMPLATES: list[LibraryTemplate] = [
    LibraryTemplate(
        "newsletter", _("Monthly newsletter"),
        _("A lead story, two articles side by side, a short list of news and an event."),
        "newsletter", "The {{ company.name|default('Clarion') }} monthly: what's new",
        "Three stories worth your coffee this month.", documents.NEWSLETTER),
    LibraryTemplate(
        "announcement", _("Product announcement"),
        _("One big piece of news, why it matters, three highlights and a clear call to "
          "action."),
        "announcement", "Introducing something new", "The feature you asked for is here.",
        documents.ANNOUNCEMENT),
    LibraryTemplate(
        "event_invite", _("Event invitation"),
        _("Date, place and agenda of an in-person event, with a button to save a seat."),
        "event", "You're invited: an afternoon with our team",
        "Talks, a workshop and good coffee. Seats are limited.", documents.EVENT_INVITE),
    LibraryTemplate(
        "welcome", _("Welcome"),
        _("A warm first email for new subscribers: what to expect and three first steps."),
        "welcome", "Welcome aboard, {{ contact.first_name|default('friend') }}",
        "Here is what happens next.", documents.WELCOME),
    LibraryTemplate(
        "nurture", _("Lead nurture"),
        _("A helpful guide with practical advice and a soft offer to talk."),
        "nurture", "A practical guide for {{ company.name|default('your team') }}",
        "Five ideas you can use this week.", documents.NURTURE),
    LibraryTemplate(
        "re_engagement", _("Re-engagement"),
        _("For subscribers who went quiet: what they missed, and an easy way to stay or go."),
        "re-engagement", "We miss you, {{ contact.first_name|default('there') }}",
        "Still interested? One click keeps you on the list.", documents.RE_ENGAGEMENT),
    LibraryTemplate(
        "webinar", _("Webinar registration"),
        _("An online session: topic, speakers, what attendees will learn and a register "
          "button."),
        "event", "Live webinar: building a pipeline that forecasts itself",
        "45 minutes, live Q&A, recording for everyone who registers.", documents.WEBINAR),
    LibraryTemplate(
        "plain_letter", _("Plain letter"),
        _("A personal note from one person to another, with no images or buttons."),
        "letter", "A quick note from {{ owner.first_name|default('our team') }}",
        "", documents.PLAIN_LETTER),
]

_BY_KEY = {template.key: template for template in TEMPLATES}


def get_template(key: str) -> LibraryTemplate:
    """The built-in template `key`; KeyError when there is none."""
    return _BY_KEY[key]
