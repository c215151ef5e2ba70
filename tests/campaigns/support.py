"""Builders shared by the campaign tests: a sender, a sendable email, segments with members
and a campaign ready to launch, all made through the services people use."""

from datetime import timedelta

from clarion.campaigns import services
from clarion.campaigns.models import Campaign
from clarion.emails.models import Email
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment
from clarion.sending.models import Message, SenderIdentity
from clarion.subscriptions.models import SubscriptionType
from tests.segments.support import make_contact

BODY = '<p>Hello {{ contact.first_name|default("there") }}, our spring news.</p>'


def make_sender(**fields) -> SenderIdentity:
    values = {"name": "News", "from_name": "Clarion News", "from_email": "news@clarion.test",
              "postal_address": "1 Harbour Road, Dublin", "is_default": True, **fields}
    return SenderIdentity.objects.create(**values)


def document(*, footer: bool = True, body: str = BODY) -> dict:
    blocks = [{"type": "text", "html": body},
              {"type": "button", "label": "Read more", "url": "https://clarion.test/spring"}]
    if footer:
        blocks.append({"type": "footer"})
    return {"settings": {}, "blocks": blocks}


def make_email(name: str = "Spring news", *, subject: str = "Spring news for "
               "{{ contact.first_name|default(\"you\") }}", footer: bool = True,
               body: str = BODY) -> Email:
    return Email.objects.create(name=name, subject=subject,
                                document=document(footer=footer, body=body))


def marketing_type() -> SubscriptionType:
    kind = SubscriptionType.objects.filter(is_default=True).first()
    return kind or SubscriptionType.objects.create(name="Marketing email", is_default=True)


def make_list(name: str, contacts, actor=None) -> Segment:
    segment = create_segment(actor=actor, name=name, kind=Segment.Kind.STATIC)
    add_members(segment, [c.pk for c in contacts], actor=actor)
    segment.refresh_from_db()
    return segment


def people(count: int, prefix: str = "p", **values) -> list:
    return [make_contact(email=f"{prefix}{n}@example.org", first_name=f"{prefix.title()}{n}",
                         **values) for n in range(count)]


def ready_campaign(actor, include, *, exclude=(), email=None, **fields) -> Campaign:
    """A draft that passes the checklist: email, default sender and type, segments."""
    if not SenderIdentity.objects.exists():
        make_sender()
    marketing_type()
    return services.create_campaign(actor=actor, name=fields.pop("name", "Spring campaign"),
                                    email=email or make_email(), include_segments=include,
                                    exclude_segments=list(exclude), **fields)


def messages_of(campaign: Campaign):
    campaign.refresh_from_db()
    return Message.objects.filter(send_id=campaign.send_id).order_by("contact_id")


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
