"""Demo data for segments: a few weeks of website and email behaviour for the demo contacts,
and segments a marketing team would build on it."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.events import NewEvent, emit_many
from clarion.crm.models import Contact
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment

PAGES = ["/", "/pricing", "/features", "/blog/segments-that-stay-live", "/docs", "/about"]
PRICING_THIS_MONTH = {"event": "page.viewed", "count": {"gte": 3}, "within_days": 30,
                      "where": {"property": "url", "op": "contains", "value": "/pricing"}}


def _behaviour(rng: random.Random, contacts: list[Contact]) -> list[NewEvent]:
    now = timezone.now()
    events = []
    for contact in contacts:
        # A third of the contacts are keen: they come back to the pricing page.
        keen = rng.random() < 0.35
        for _visit in range(rng.randint(0, 10)):
            page = "/pricing" if keen and rng.random() < 0.6 else rng.choice(PAGES)
            events.append(NewEvent(
                "page.viewed", contact_id=contact.pk,
                data={"url": f"https://www.clarion.example{page}", "title": page},
                occurred_at=now - timedelta(days=rng.uniform(0, 45))))
        for _open in range(rng.randint(0, 3)):
            events.append(NewEvent("email.opened", contact_id=contact.pk,
                                   data={"campaign": "Product update"},
                                   occurred_at=now - timedelta(days=rng.uniform(0, 30))))
        if rng.random() < 0.15:
            events.append(NewEvent("form.submitted", contact_id=contact.pk,
                                   data={"form": "Demo request"},
                                   occurred_at=now - timedelta(days=rng.uniform(0, 20))))
    return events


@transaction.atomic
def load_demo(people) -> str:
    """Behaviour events and four segments; "" when the segments are already there."""
    if Segment.objects.exists():
        return ""
    admin = next(person for person in people if person.is_superuser)
    contacts = list(Contact.objects.order_by("id"))
    if not contacts:
        return ""
    rng = random.Random(5)
    emit_many(_behaviour(rng, contacts))
    create_segment(actor=admin, name=_("Visited pricing 3+ times this month"), kind="dynamic",
                   definition=PRICING_THIS_MONTH,
                   description=_("Warm prospects: ready for a sales call."))
    create_segment(actor=admin, name=_("Leads in software companies"), kind="dynamic",
                   definition={"all": [
                       {"property": "lifecycle_stage", "op": "in",
                        "value": ["lead", "mql", "sql"]},
                       {"association": "company", "where": {
                           "property": "industry", "op": "eq", "value": "Software"}}]})
    create_segment(actor=admin, name=_("Quiet for 30 days"), kind="dynamic",
                   definition={"all": [
                       {"event": "page.viewed", "within_days": 30, "count": {"lte": 0}},
                       {"event": "email.opened", "within_days": 30, "count": {"lte": 0}}]},
                   description=_("No visit and no email opened in a month: worth a nudge."))
    attendees = create_segment(actor=admin, name=_("Event attendees"), kind="static",
                               description=_("Met us at the spring conference."))
    add_members(attendees, [c.pk for c in rng.sample(contacts, min(12, len(contacts)))],
                actor=admin)
    return _("Demo segments and website behaviour loaded.")
