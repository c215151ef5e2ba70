"""Demo chat: the team channels with a morning's conversation (mentions and a record card), a
public channel, a direct message and a deal's discussion."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clarion.chat import services
from clarion.chat.models import Conversation, Message
from clarion.collab.mentions import mention_token
from clarion.crm.models import Company, Deal


def _post(author, conversation: Conversation, body: str, minutes_ago: int) -> Message:
    """Post through the service (events, notifications), then date it in the past."""
    message = services.post_message(actor=author, conversation=conversation, body=body)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    Message.objects.filter(pk=message.pk).update(created_at=when)
    Conversation.objects.filter(pk=conversation.pk, last_message_at__gt=when).update(
        last_message_at=when)
    return message


def _script(conversation: Conversation, lines: list[tuple], start: int) -> None:
    for offset, (author, body) in enumerate(lines):
        _post(author, conversation, body, minutes_ago=start - offset * 7)


@transaction.atomic
def load_demo(people) -> str:
    if Message.objects.exists():
        return ""
    by_name = {person.email.split("@")[0]: person for person in people}
    ada, sam, mia = by_name.get("admin"), by_name.get("sam"), by_name.get("mia")
    maya, sol = by_name.get("maya"), by_name.get("sol")
    if not all((ada, sam, mia, maya, sol)):
        return ""
    for person in people:
        services.sync_team_channels(person)
    channels = {c.name: c for c in Conversation.objects.filter(kind=Conversation.Kind.TEAM)}
    deal = Deal.objects.filter(owner=sam).order_by("pk").first() or Deal.objects.first()
    company = Company.objects.order_by("pk").first()
    deal_ref = f"#deal:{deal.pk}" if deal else "the renewal"
    company_url = company.get_absolute_url() if company else ""

    if "Sales" in channels:
        _script(channels["Sales"], [
            (mia, "Morning all! Pipeline review at 10:00, bring your top three deals."),
            (sam, f"I'll lead with {deal_ref}, it's close to signing."),
            (mia, f"{mention_token(sam)} great. Can you send the updated quote before the "
                  "call?"),
            (sam, "Will do. Legal asked for a shorter payment term, I'll flag it."),
            (ada, f"Their account page has the latest notes: {company_url}"),
            (mia, f"{mention_token(ada)} can we offer net 30 instead of net 45?"),
            (ada, "Yes, net 30 is fine for this size."),
        ], start=240)
    if "Marketing" in channels:
        _script(channels["Marketing"], [
            (maya, "The spring newsletter draft is ready for review."),
            (ada, f"{mention_token(maya)} looks good; shorten the subject line a little?"),
            (maya, "Done: \"Spring is here: three new ways to save time\"."),
        ], start=180)
    if "Support" in channels:
        _script(channels["Support"], [
            (sol, "Quiet queue this morning, only two open tickets."),
        ], start=120)

    launch = services.create_channel(actor=maya, name="Product launch",
                                     topic="Everything about the spring launch.",
                                     members=[ada, sam, mia])
    _script(launch, [
        (maya, "Launch date confirmed for the 14th."),
        (sam, "Customers keep asking about the beta, can I invite two of them?"),
        (maya, f"{mention_token(sam)} yes, send me their names."),
    ], start=90)

    direct = services.open_direct(actor=mia, others=[sam])
    _script(direct, [
        (mia, "Quick one: how confident are you on the renewal this quarter?"),
        (sam, "80%. Waiting on their finance team."),
    ], start=60)

    discussions = 0
    if deal is not None:
        discussion = services.discussion_for(actor=sam, record=deal)
        _script(discussion, [
            (sam, "They want a two-year term with a 5% discount."),
            (mia, f"{mention_token(sam)} fine by me if they sign this month."),
        ], start=45)
        discussions = 1
    count = Message.objects.count()
    return (f"{count} chat messages in {len(channels)} team channels, 1 channel, "
            f"1 direct message and {discussions} record discussion")
