"""Demo collaboration: notes, calls and meetings on demo records, and comment threads with
@mentions, written by the demo people through the ordinary services."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clarion.collab import services
from clarion.collab.mentions import mention_token
from clarion.collab.models import Activity
from clarion.collab.services import ActivityInput, Links
from clarion.crm.models import Contact, Deal

NOTES = [
    "<p>Met at the trade fair. Interested in the <strong>analytics</strong> add-on.</p>"
    "<ul><li>Send the pricing sheet</li><li>Book a demo for the team</li></ul>",
    "<p>Budget is approved for <em>next quarter</em>; procurement needs two quotes.</p>",
    "<p>Prefers email over calls. Decision maker is the head of operations.</p>",
]
CALLS = [("connected", 12, "Walked through the proposal; wants a pilot."),
         ("left_voicemail", 1, ""),
         ("no_answer", 0, "Try again Thursday morning.")]
MEETINGS = [("Discovery call", "Video call", "Mapped their current process and pain points."),
            ("Quarterly review", "Their office", "Renewal looks likely; upsell seats.")]


def _person(people, prefix: str):
    return next((p for p in people if p.email.startswith(prefix)), people[0])


@transaction.atomic
def load_demo(people) -> str:
    """Idempotent: does nothing once demo activities exist."""
    if not people or Activity.objects.exists():
        return ""
    contacts = list(Contact.objects.select_related("company").order_by("id")[:8])
    if not contacts:
        return ""
    sam, mia, admin = _person(people, "sam"), _person(people, "mia"), _person(people, "admin")
    now = timezone.now()
    count = 0
    for index, contact in enumerate(contacts):
        links = Links.of(contact, *([contact.company] if contact.company else []))
        author = sam if index % 2 else mia
        services.log_activity(actor=author, kind="note", links=links, values=ActivityInput(
            body=NOTES[index % len(NOTES)], pinned=index == 0,
            occurred_at=now - timedelta(days=index + 2)))
        outcome, minutes, text = CALLS[index % len(CALLS)]
        services.log_activity(actor=author, kind="call", links=links, values=ActivityInput(
            outcome=outcome, duration_minutes=minutes or None, body=text,
            occurred_at=now - timedelta(days=index + 1, hours=3)))
        count += 2
        if index < len(MEETINGS):
            title, place, text = MEETINGS[index]
            start = now - timedelta(days=index, hours=5)
            services.log_activity(actor=author, kind="meeting", links=links,
                                  values=ActivityInput(
                                      title=title, location=place, body=text,
                                      starts_at=start, ends_at=start + timedelta(minutes=45),
                                      attendee_users=[sam, mia], attendee_contacts=[contact]))
            count += 1
    threads = _comment_threads(contacts, sam, mia, admin)
    return f"{count} notes, calls and meetings; {threads} comment threads"


def _comment_threads(contacts, sam, mia, admin) -> int:
    threads = 0
    for contact in contacts[:3]:
        first = services.add_comment(actor=sam, target=contact, body=(
            f"{mention_token(mia)} could you join the next call with {contact}? "
            "They asked about volume pricing."))
        services.add_comment(actor=mia, target=contact, parent=first,
                             body=f"Sure, {mention_token(sam)}: send me a slot.")
        threads += 1
    deal = Deal.objects.order_by("id").first()
    if deal is not None:
        services.add_comment(actor=admin, target=deal, body=(
            f"{mention_token(sam)} the contract draft is in Files; legal wants the "
            "liability clause reviewed."))
        services.attach_link(actor=admin, target=deal, title="Contract draft",
                             url="https://drive.example.com/contract-draft")
        threads += 1
    return threads
