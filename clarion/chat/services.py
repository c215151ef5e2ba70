"""Every chat write: conversations, members, messages and read markers. Each change commits
with its event, and live delivery goes out once the transaction commits."""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clarion.accounts.models import display_name
from clarion.chat import live, queries
from clarion.chat.models import Conversation, Membership, Message
from clarion.collab.mentions import mentioned_users
from clarion.core.events import emit
from clarion.core.permissions import can
from clarion.core.ratelimit import over_limit
from clarion.notifications.services import notify

MAX_BODY = 4000
MAX_NAME = 80
# Control characters other than tab and newline never belong in a chat message.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CHANNEL_NAME = re.compile(r"^[\w][\w .&'-]*$")


class ChatError(Exception):
    """A chat action that can't be done, with a message the person can act on."""


class PostingTooFast(ChatError):
    pass


def _emit(kind: str, *, subject, actor=None, data: dict | None = None) -> None:
    """Record a chat event. The actor goes in `data`, not the event's actor: what is said in
    a conversation is for its readers, and the team activity feed lists every event that has
    an actor, with its subject's name."""
    emit(kind, subject=subject, data={**(data or {}), "actor": getattr(actor, "pk", None)})


# --- Conversations ------------------------------------------------------------------------


def sync_team_channels(user) -> None:
    """Give each of the user's teams its channel and make the user a member of exactly their
    teams' channels (teams change in settings; chat follows the next time it is opened)."""
    if not queries.is_staff_user(user):
        return
    team_ids = set(user.teams.values_list("pk", flat=True))
    existing = dict(Conversation.objects.filter(kind=Conversation.Kind.TEAM)
                    .values_list("team_id", "pk"))
    for team_id in team_ids - set(existing):
        existing[team_id] = _create_team_channel(team_id).pk
    joined = dict(Membership.objects.filter(user_id=user.pk,
                                            conversation__kind=Conversation.Kind.TEAM)
                  .values_list("conversation__team_id", "pk"))
    missing = [Membership(conversation_id=existing[t], user_id=user.pk)
               for t in team_ids - set(joined)]
    if missing:
        Membership.objects.bulk_create(missing, ignore_conflicts=True)
    left = [pk for team_id, pk in joined.items() if team_id not in team_ids]
    if left:
        Membership.objects.filter(pk__in=left).delete()


def _create_team_channel(team_id: int) -> Conversation:
    from clarion.accounts.models import Team

    team = Team.objects.get(pk=team_id)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.TEAM, team=team, name=team.name,
                topic=_("Everyone in the %(team)s team.") % {"team": team.name})
            Membership.objects.bulk_create(
                [Membership(conversation=conversation, user=member)
                 for member in team.members.filter(is_active=True)], ignore_conflicts=True)
            _emit("chat.conversation.created", subject=conversation,
                 data={"kind": conversation.kind, "team": team.pk})
    except IntegrityError:  # created at the same moment by another request
        return Conversation.objects.get(team=team)
    return conversation


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split()).lstrip("#")
    if not name:
        raise ChatError(_("Give the channel a name."))
    if len(name) > MAX_NAME:
        raise ChatError(_("A channel name has at most %(max)d characters.") % {"max": MAX_NAME})
    if not CHANNEL_NAME.match(name):
        raise ChatError(_("Use letters, digits, spaces and - . & ' in a channel name."))
    return name


@transaction.atomic
def create_channel(*, actor, name: str, topic: str = "", is_private: bool = False,
                   members=()) -> Conversation:
    """A new channel with its creator and `members` in it."""
    if not queries.is_staff_user(actor):
        raise ChatError(_("Guests can't create channels."))
    name = _clean_name(name)
    if Conversation.objects.filter(kind=Conversation.Kind.CHANNEL, name__iexact=name).exists():
        raise ChatError(_("There is already a channel named “%(name)s”.") % {"name": name})
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.CHANNEL, name=name, topic=(topic or "").strip()[:250],
        is_private=is_private, created_by=actor)
    _add(conversation, {actor, *_staff(members)})
    _emit("chat.conversation.created", subject=conversation, actor=actor,
         data={"kind": conversation.kind, "private": is_private})
    return conversation


def _staff(users) -> list:
    return [u for u in users if queries.is_staff_user(u)]


def _add(conversation: Conversation, users) -> list:
    already = set(Membership.objects.filter(conversation=conversation)
                  .values_list("user_id", flat=True))
    new = [u for u in users if u.pk not in already]
    Membership.objects.bulk_create([Membership(conversation=conversation, user=u) for u in new],
                                   ignore_conflicts=True)
    return new


@transaction.atomic
def open_direct(*, actor, others) -> Conversation:
    """The direct-message thread between the actor and `others` (created the first time)."""
    people = {actor, *_staff(others)}
    if not queries.is_staff_user(actor) or len(people) < 2:
        raise ChatError(_("Choose at least one person to message."))
    if len(people) > 9:
        raise ChatError(_("A direct message has at most 9 people; create a channel instead."))
    key = ",".join(str(pk) for pk in sorted(u.pk for u in people))
    conversation = Conversation.objects.filter(kind=Conversation.Kind.DIRECT,
                                               direct_key=key).first()
    if conversation is not None:
        return conversation
    conversation = Conversation.objects.create(kind=Conversation.Kind.DIRECT, direct_key=key,
                                               created_by=actor)
    _add(conversation, people)
    _emit("chat.conversation.created", subject=conversation, actor=actor,
         data={"kind": conversation.kind})
    return conversation


@transaction.atomic
def discussion_for(*, actor, record) -> Conversation:
    """The discussion thread of a contact, company or deal (created the first time)."""
    if not can(actor, "view", record):
        raise ChatError(_("You can't open this record."))
    type_name = record._meta.model_name
    conversation = queries.discussion_of(record)
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.RECORD, record_type=type_name, record_id=record.pk,
                created_by=actor)
            _emit("chat.conversation.created", subject=conversation, actor=actor,
                 data={"kind": conversation.kind, "record_type": type_name,
                       "record_id": record.pk})
    except IntegrityError:
        return queries.discussion_of(record)
    return conversation


def _require_reader(actor, conversation: Conversation) -> None:
    if not queries.can_read(actor, conversation):
        raise ChatError(_("You are not in this conversation."))


@transaction.atomic
def add_members(*, actor, conversation: Conversation, users) -> list:
    """Add people to a channel; any member may."""
    if conversation.kind != Conversation.Kind.CHANNEL:
        raise ChatError(_("People can only be added to channels."))
    _require_reader(actor, conversation)
    _add(conversation, [actor])
    added = _add(conversation, _staff(users))
    if added:
        _emit("chat.members.added", subject=conversation, actor=actor,
             data={"users": [u.pk for u in added]})
    return added


@transaction.atomic
def join_channel(*, actor, conversation: Conversation) -> None:
    if conversation.kind != Conversation.Kind.CHANNEL or conversation.is_private:
        raise ChatError(_("Only public channels can be joined."))
    _require_reader(actor, conversation)
    if _add(conversation, [actor]):
        _emit("chat.members.added", subject=conversation, actor=actor,
             data={"users": [actor.pk]})


@transaction.atomic
def leave_conversation(*, actor, conversation: Conversation) -> None:
    if conversation.kind not in (Conversation.Kind.CHANNEL, Conversation.Kind.RECORD):
        raise ChatError(_("You can leave channels and record discussions only."))
    deleted, _rows = Membership.objects.filter(conversation=conversation,
                                               user_id=actor.pk).delete()
    if deleted:
        _emit("chat.members.left", subject=conversation, actor=actor, data={"users": [actor.pk]})


# --- Messages -----------------------------------------------------------------------------


def clean_body(body: str) -> str:
    body = CONTROL_CHARACTERS.sub("", (body or "").replace("\r\n", "\n")).strip()
    if not body:
        raise ChatError(_("Write a message first."))
    if len(body) > MAX_BODY:
        raise ChatError(_("A message has at most %(max)d characters; this one has %(count)d.")
                        % {"max": MAX_BODY, "count": len(body)})
    return body


def posting_limit() -> int:
    return settings.CLARION_CHAT_MESSAGES_PER_MINUTE


def enforce_posting_limit(user) -> None:
    """At most `posting_limit()` messages a minute per person (a counter in the cache)."""
    limit = posting_limit()
    wait = over_limit(f"chat:{user.pk}", limit)
    if wait is not None:
        raise PostingTooFast(ngettext(
            "You are sending messages too quickly (at most %(limit)d a minute). Try again in "
            "%(seconds)d second.",
            "You are sending messages too quickly (at most %(limit)d a minute). Try again in "
            "%(seconds)d seconds.", wait) % {"limit": limit, "seconds": wait})


def _mark_read_to(user, conversation: Conversation, message_id: int) -> None:
    updated = Membership.objects.filter(conversation=conversation, user_id=user.pk,
                                        last_read_id__lt=message_id).update(
        last_read_id=message_id)
    if not updated and not Membership.objects.filter(conversation=conversation,
                                                     user_id=user.pk).exists():
        Membership.objects.create(conversation=conversation, user=user, last_read_id=message_id)


@transaction.atomic
def post_message(*, actor, conversation: Conversation, body: str) -> Message:
    """Post a message: the author joins (and has read up to it), mentioned people who can
    read the conversation and the other people of a direct message are notified."""
    _require_reader(actor, conversation)
    body = clean_body(body)
    enforce_posting_limit(actor)
    message = Message.objects.create(conversation=conversation, author=actor, body=body)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    _mark_read_to(actor, conversation, message.pk)
    _emit("chat.message.posted", subject=message, actor=actor,
         data={"conversation": conversation.pk})
    _notify_people(actor, conversation, message)
    live.announce_on_commit(conversation_id=conversation.pk, message_id=message.pk,
                            change="new", actor_id=actor.pk,
                            audience=queries.audience_ids(conversation))
    return message


def _require_author(actor, message: Message) -> None:
    if message.author_id != actor.pk or not queries.can_read(actor, message.conversation):
        raise ChatError(_("You can only change your own messages."))
    if message.is_deleted:
        raise ChatError(_("This message was deleted."))


@transaction.atomic
def edit_message(*, actor, message: Message, body: str) -> Message:
    _require_author(actor, message)
    body = clean_body(body)
    if body == message.body:
        return message
    previous = message.body
    message.body, message.edited_at = body, timezone.now()
    message.save(update_fields=["body", "edited_at"])
    _emit("chat.message.edited", subject=message, actor=actor,
         data={"conversation": message.conversation_id, "previous": previous})
    _notify_mentions(actor, message.conversation, message, skip=_mentioned_ids(previous))
    live.announce_on_commit(conversation_id=message.conversation_id, message_id=message.pk,
                            change="edited", actor_id=actor.pk, audience=set())
    return message


@transaction.atomic
def delete_message(*, actor, message: Message) -> Message:
    """Soft-delete: the thread shows "message deleted" in its place; the text is cleared."""
    _require_author(actor, message)
    message.deleted_at = timezone.now()
    message.body = ""
    message.save(update_fields=["deleted_at", "body"])
    _emit("chat.message.deleted", subject=message, actor=actor,
         data={"conversation": message.conversation_id})
    live.announce_on_commit(conversation_id=message.conversation_id, message_id=message.pk,
                            change="deleted", actor_id=actor.pk,
                            audience=queries.audience_ids(message.conversation))
    return message


def mark_read(*, user, conversation: Conversation, message_id: int | None = None) -> int:
    """Move the user's read marker forward to `message_id` (default: the newest message)."""
    if not queries.can_read(user, conversation):
        raise ChatError(_("You are not in this conversation."))
    newest = (Message.objects.filter(conversation=conversation)
              .order_by("-pk").values_list("pk", flat=True).first() or 0)
    target = min(message_id, newest) if message_id is not None else newest
    if target:
        _mark_read_to(user, conversation, target)
    return target


# --- Notifications --------------------------------------------------------------------------


def _mentioned_ids(body: str) -> set[int]:
    return {u.pk for u in mentioned_users(body)}


def message_url(message: Message) -> str:
    return reverse("chat:conversation", args=[message.conversation_id]) + f"#message-{message.pk}"


def _notify_people(actor, conversation: Conversation, message: Message) -> None:
    notified = _notify_mentions(actor, conversation, message)
    if conversation.is_direct:
        for member in queries.members_of(conversation).exclude(pk__in={actor.pk, *notified}):
            notify(member, "chat.direct_message", actor=actor, target=message,
                    url=message_url(message),
                    title=lambda: _("%(person)s sent you a message") % {
                        "person": display_name(actor)},  # in the recipient's language
                    dedupe_key=f"chat.direct:{conversation.pk}")


def _notify_mentions(actor, conversation: Conversation, message: Message,
                     skip: set[int] = frozenset()) -> set[int]:
    """Notify the people mentioned who may read the conversation; someone who can't (a
    private channel they're not in, a record they can't see) learns nothing."""
    notified = set()
    for person in mentioned_users(message.body):
        if person.pk == actor.pk or person.pk in skip:
            continue
        if not queries.can_read(person, conversation):
            continue
        notify(person, "chat.mentioned", actor=actor, target=message,
                url=message_url(message),
                title=lambda: _("%(person)s mentioned you in chat") % {
                    "person": display_name(actor)},  # in the recipient's language
                dedupe_key=f"chat.mentioned:{message.pk}")
        notified.add(person.pk)
    return notified
