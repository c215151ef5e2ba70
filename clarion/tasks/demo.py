"""Demo tasks: about thirty calls, emails and follow-ups across the demo team, linked to demo
contacts, companies and deals; some overdue, some repeating, some waiting in the Sales
queue, some done. Written through the services, so timelines and events are real."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from clarion.accounts.models import Team
from clarion.crm.models import Company, Contact, Deal
from clarion.tasks.models import Task, TaskQueue
from clarion.tasks.services import complete_task, create_task

ZONE = "Europe/London"

# title, kind, priority, due in days (None: no due date), reminder, repeat, linked to
TASKS = [
    ("Call back about the renewal quote", "call", "high", -2, "60", "", "contact"),
    ("Send the security questionnaire", "email", "high", -1, "", "", "company"),
    ("Follow up on the pilot feedback", "follow_up", "normal", -3, "", "", "deal"),
    ("Confirm the kickoff agenda", "email", "normal", 0, "15", "", "contact"),
    ("Prepare the pricing proposal", "todo", "high", 0, "60", "", "deal"),
    ("Check in after the webinar", "follow_up", "normal", 1, "1440", "", "contact"),
    ("Book the onsite demo", "call", "normal", 1, "60", "", "company"),
    ("Review the contract redlines", "todo", "high", 2, "", "", "deal"),
    ("Introduce the customer success manager", "email", "low", 3, "", "", "contact"),
    ("Quarterly business review", "call", "normal", 6, "1440", "", "company"),
    ("Send the case study", "email", "low", 4, "", "", "contact"),
    ("Ask for a referral", "follow_up", "low", 9, "", "", "contact"),
    ("Update the mutual action plan", "todo", "normal", 5, "", "", "deal"),
    ("Weekly pipeline review", "todo", "normal", 4, "15", "weekly", ""),
    ("Clean up stale deals", "todo", "low", 1, "", "monthly", ""),
    ("Check the inbound leads queue", "todo", "normal", 0, "0", "daily", ""),
    ("Call the new trial sign-ups", "call", "normal", 2, "", "days", ""),
    ("Negotiate the volume discount", "call", "high", -1, "15", "", "deal"),
    ("Share the onboarding checklist", "email", "normal", None, "", "", "contact"),
    ("Plan the executive dinner", "todo", "low", 12, "", "", "company"),
    ("Confirm the procurement contact", "call", "normal", 3, "", "", "company"),
    ("Send the renewal reminder", "email", "normal", 7, "", "", "deal"),
]
# Unassigned, in the Sales team's queue, for whoever gets there first.
QUEUED = [
    ("Qualify the demo request from the website", "call", "high", 0, "contact"),
    ("Reply to the pricing enquiry", "email", "normal", 1, "contact"),
    ("Research the new lead's company", "todo", "low", 2, "company"),
]
# Already done, for the Completed view and the activity feed.
DONE = [
    ("Send the welcome pack", "email", "contact"),
    ("Log the discovery call notes", "todo", "deal"),
    ("Call to confirm the budget", "call", "contact"),
    ("Intro email to the champion", "email", "contact"),
    ("Check the signed order form", "todo", "deal"),
]


def _due(days: int | None, rng: random.Random) -> datetime | None:
    if days is None:
        return None
    zone = ZoneInfo(ZONE)
    day = timezone.localdate(timezone=zone) + timedelta(days=days)
    hour = rng.choice([9, 10, 11, 14, 15, 16])
    return datetime(day.year, day.month, day.day, hour, rng.choice([0, 30]), tzinfo=zone)


def _links(kind: str, rng: random.Random, records: dict) -> dict:
    pool = records.get(kind) or []
    if not pool:
        return {}
    relation = {"contact": "contacts", "company": "companies", "deal": "deals"}[kind]
    return {relation: [rng.choice(pool)]}


@transaction.atomic
def load_demo(people) -> str:
    """The demo tasks and the Sales queue; "" when tasks already exist."""
    if Task.objects.exists():
        return ""
    rng = random.Random(11)
    admin = next(person for person in people if person.is_superuser)
    workers = [person for person in people
               if person.teams.filter(name="Sales").exists()] or [admin]
    records = {"contact": list(Contact.objects.order_by("id")[:60]),
               "company": list(Company.objects.order_by("id")[:20]),
               "deal": list(Deal.objects.order_by("id")[:20])}
    created = 0
    for title, kind, priority, days, reminder, repeat, link in TASKS:
        assignee = rng.choice(workers)
        create_task(actor=rng.choice([admin, assignee]), title=title, kind=kind,
                    priority=priority, assignee=assignee, due_at=_due(days, rng),
                    time_zone=ZONE, reminder=reminder if days is not None else "",
                    repeat=repeat, repeat_interval=3 if repeat == "days" else 1,
                    **_links(link, rng, records))
        created += 1
    team = Team.objects.filter(name="Sales").first()
    if team is not None:
        queue, _created = TaskQueue.objects.get_or_create(team=team, name="Inbound leads")
        for title, kind, priority, days, link in QUEUED:
            create_task(actor=admin, title=title, kind=kind, priority=priority,
                        assignee=None, queue=queue, due_at=_due(days, rng), time_zone=ZONE,
                        **_links(link, rng, records))
            created += 1
    for title, kind, link in DONE:
        assignee = rng.choice(workers)
        task = create_task(actor=assignee, title=title, kind=kind, assignee=assignee,
                           due_at=_due(-rng.randint(1, 6), rng), time_zone=ZONE,
                           **_links(link, rng, records))
        complete_task(task, actor=assignee)
        created += 1
    return ngettext("%(count)d demo task loaded.", "%(count)d demo tasks loaded.",
                    created) % {"count": created}
