"""Reads for chat pages and the API: who may read a conversation, the sidebar with unread
counts, and pages of messages.

Access: a team channel is its team's; a public channel is everyone's; a private channel or a
direct message is its members'; a record discussion follows the record (`can(user, "view",
record)`), so losing access to the record loses the discussion too. Guests (invited to single
records) work in those records' comments and see no chat at all."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from clarion.chat.models import Conversation, Membership, Message
from clarion.core import cursors
from clarion.core.permissions import can, is_guest, visible_to
from clarion.crm.objects import OBJECT_TYPES

PAGE_SIZE = 50
CURSOR_SALT = "clarion.chat.messages"


def is_staff_user(user) -> bool:
    """Guests (invited to single records) never see team chat; everyone else may."""
    return (getattr(user, "is_authenticated", False) and user.is_active
            and not is_guest(user))


def record_of(conversation: Conversation):
    """The record a discussion is about, or None when it is gone."""
    object_type = OBJECT_TYPES.get(conversation.record_type)
    if object_type is None:
        return None
    return object_type.queryset().filter(pk=conversation.record_id).first()


def is_member(user, conversation: Conversation) -> bool:
    return Membership.objects.filter(conversation=conversation, user_id=user.pk).exists()


def can_read(user, conversation: Conversation) -> bool:
    """May `user` read (and so post in) this conversation?"""
    if not is_staff_user(user):
        return False
    if conversation.kind == Conversation.Kind.RECORD:
        record = record_of(conversation)
        return record is not None and can(user, "view", record)
    if conversation.kind == Conversation.Kind.TEAM:
        return user.teams.filter(pk=conversation.team_id).exists()
    if conversation.kind == Conversation.Kind.CHANNEL and not conversation.is_private:
        return True
    return is_member(user, conversation)


def readable_conversation(user, pk: int) -> Conversation | None:
    """The conversation if the user may read it; None otherwise (callers answer 404, so an
    id never reveals whether a private conversation exists)."""
    conversation = Conversation.objects.filter(pk=pk).select_related("team").first()
    if conversation is None or not can_read(user, conversation):
        return None
    return conversation


def readable_message(user, pk: int) -> Message | None:
    message = Message.objects.filter(pk=pk).select_related("conversation", "author").first()
    if message is None or not can_read(user, message.conversation):
        return None
    return message


def discussion_of(record) -> Conversation | None:
    object_type = record._meta.model_name
    return Conversation.objects.filter(kind=Conversation.Kind.RECORD, record_type=object_type,
                                       record_id=record.pk).first()


# --- The sidebar ------------------------------------------------------------------------


@dataclass
class SidebarEntry:
    conversation: Conversation
    title: str
    unread: int
    url: str = ""


@dataclass
class Sidebar:
    channels: list[SidebarEntry] = field(default_factory=list)
    direct: list[SidebarEntry] = field(default_factory=list)
    discussions: list[SidebarEntry] = field(default_factory=list)

    @property
    def unread_total(self) -> int:
        return sum(e.unread for e in self.channels + self.direct + self.discussions)


def unread_filter(user) -> Q:
    """Messages after the membership's read marker, not deleted, not the user's own."""
    return (Q(conversation__messages__id__gt=F("last_read_id"))
            & Q(conversation__messages__deleted_at__isnull=True)
            & ~Q(conversation__messages__author_id=user.pk))


def memberships_with_unread(user) -> QuerySet:
    """The user's memberships, newest activity first, each annotated with `unread`: one
    query whatever the number of conversations."""
    return (Membership.objects.filter(user_id=user.pk)
            .select_related("conversation")
            .annotate(unread=Count("conversation__messages", filter=unread_filter(user)))
            .order_by("-conversation__last_message_at", "-conversation_id"))


def sidebar(user) -> Sidebar:
    from django.urls import reverse

    if not is_staff_user(user):
        return Sidebar()
    memberships = list(memberships_with_unread(user))
    conversations = [m.conversation for m in memberships]
    direct_names = direct_titles(user, [c for c in conversations if c.is_direct])
    record_names = discussion_titles(user, [c for c in conversations if c.is_record])
    result = Sidebar()
    for membership in memberships:
        conversation = membership.conversation
        entry = SidebarEntry(conversation, conversation.name, membership.unread,
                             reverse("chat:conversation", args=[conversation.pk]))
        if conversation.is_record:
            if conversation.pk not in record_names:
                continue  # the record is gone or no longer visible
            entry.title = record_names[conversation.pk]
            result.discussions.append(entry)
        elif conversation.is_direct:
            entry.title = direct_names.get(conversation.pk, "")
            result.direct.append(entry)
        else:
            result.channels.append(entry)
    result.channels.sort(key=lambda e: (e.conversation.kind != "team", e.title.lower()))
    return result


def direct_titles(viewer, conversations: list[Conversation]) -> dict[int, str]:
    """"Sam Seller, Mia Manager": the other people of each direct message, one query."""
    if not conversations:
        return {}
    titles: dict[int, list[str]] = {c.pk: [] for c in conversations}
    rows = (Membership.objects.filter(conversation__in=conversations)
            .exclude(user_id=viewer.pk).select_related("user").order_by("user__first_name"))
    for membership in rows:
        titles[membership.conversation_id].append(str(membership.user))
    return {pk: ", ".join(names) or str(viewer) for pk, names in titles.items()}


def discussion_titles(viewer, conversations: list[Conversation]) -> dict[int, str]:
    """The record name of each discussion whose record the viewer may see (one query per
    record type); discussions of hidden or deleted records are left out."""
    titles = {}
    by_type: dict[str, list[Conversation]] = {}
    for conversation in conversations:
        by_type.setdefault(conversation.record_type, []).append(conversation)
    for type_name, group in by_type.items():
        object_type = OBJECT_TYPES.get(type_name)
        if object_type is None:
            continue
        ids = {c.record_id for c in group}
        records = {r.pk: r for r in visible_to(viewer, object_type.model.objects.filter(
            pk__in=ids))}
        for conversation in group:
            record = records.get(conversation.record_id)
            if record is not None:
                titles[conversation.pk] = str(record)
    return titles


def conversation_title(viewer, conversation: Conversation) -> str:
    if conversation.is_direct:
        return direct_titles(viewer, [conversation])[conversation.pk]
    if conversation.is_record:
        record = record_of(conversation)
        return str(record) if record is not None else ""
    return conversation.name


def members_of(conversation: Conversation) -> QuerySet:
    """The people in a conversation (a team channel: its team)."""
    users = get_user_model().objects.filter(is_active=True)
    if conversation.kind == Conversation.Kind.TEAM:
        return users.filter(teams=conversation.team_id)
    return users.filter(chat_memberships__conversation=conversation)


def audience_ids(conversation: Conversation) -> set[int]:
    """Who should hear about activity in the conversation (members, and a team channel's
    whole team even before they first open chat)."""
    ids = set(Membership.objects.filter(conversation=conversation)
              .values_list("user_id", flat=True))
    if conversation.kind == Conversation.Kind.TEAM:
        ids |= set(get_user_model().objects.filter(teams=conversation.team_id)
                   .values_list("pk", flat=True))
    return ids


def public_channels(user) -> QuerySet:
    """Public channels the user has not joined, for "browse channels"."""
    return (Conversation.objects.filter(kind=Conversation.Kind.CHANNEL, is_private=False)
            .exclude(memberships__user_id=user.pk)
            .annotate(member_count=Count("memberships")).order_by("name"))


def last_read_id(user, conversation: Conversation) -> int:
    return (Membership.objects.filter(conversation=conversation, user_id=user.pk)
            .values_list("last_read_id", flat=True).first() or 0)


# --- Messages -----------------------------------------------------------------------------


def encode_before(message: Message) -> str:
    return cursors.encode_cursor(message.pk, message.pk, salt=CURSOR_SALT)


def decode_before(text: str) -> int | None:
    """The message id an "older messages" cursor points before; None for none or a bad one."""
    if not text:
        return None
    try:
        _value, pk = cursors.decode_cursor(text, salt=CURSOR_SALT)
    except cursors.InvalidCursor:
        return None
    return pk if isinstance(pk, int) else None


def message_page(conversation: Conversation, *, before: int | None = None,
                 limit: int = PAGE_SIZE) -> tuple[list[Message], str]:
    """Up to `limit` messages before message id `before` (or the newest), oldest first, and
    the cursor of the page before them ("" at the beginning)."""
    queryset = Message.objects.filter(conversation=conversation).select_related("author")
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    page = list(queryset.order_by("-pk")[: limit + 1])
    older = encode_before(page[limit - 1]) if len(page) > limit else ""
    return list(reversed(page[:limit])), older


def messages_after(conversation: Conversation, after: int, limit: int = 200) -> list[Message]:
    return list(Message.objects.filter(conversation=conversation, pk__gt=after)
                .select_related("author").order_by("pk")[:limit])
