"""The chat over the REST API: my conversations (with unread counts), channels and direct
messages, members, messages (cursor-paginated, newest first), edits, deletions and read
markers, and the discussion of a record.

A conversation the key's user may not read answers 404 on every endpoint, exactly as in the
web pages, so ids reveal nothing. Writes go through `clarion.chat.services`."""

from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, NotFound, RateLimited
from clarion.api.pagination import CursorPagination
from clarion.chat import queries, services
from clarion.chat.models import Conversation, Membership, Message
from clarion.core.permissions import visible_to
from clarion.crm.objects import OBJECT_TYPES

READ, WRITE = "chat:read", "chat:write"
router = Router(tags=["chat"], auth=scope_required(READ))


class ChatRefused(APIError):
    status, code = 422, "chat_refused"


class ConversationOut(Schema):
    id: int
    kind: str
    name: str
    title: str = Field(description="The name to show: a channel's name, the other people of "
                                   "a direct message, a discussion's record.")
    topic: str
    is_private: bool
    team_id: int | None
    record_type: str
    record_id: int | None
    unread: int = Field(0, description="Messages after your read marker, not yours.")
    last_message_at: datetime
    created_at: datetime


class ConversationPage(Schema):
    results: list[ConversationOut]
    next: str | None


class ConversationIn(Schema):
    kind: Literal["channel", "direct"]
    name: str = Field("", description="A channel's name.")
    topic: str = ""
    is_private: bool = False
    members: list[int] = Field(default_factory=list,
                               description="User ids: a channel's first members, or the "
                                           "people of a direct message (1–8).")


class PersonOut(Schema):
    id: int
    email: str
    name: str


class PersonPage(Schema):
    results: list[PersonOut]
    next: str | None


class MembersIn(Schema):
    users: list[int] = Field(..., min_length=1)


class MessageOut(Schema):
    id: int
    conversation_id: int
    author_id: int | None
    author_name: str
    body: str = Field(description="Plain text with mention tokens `@[Name](user:ID)`; empty "
                                  "once deleted.")
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None


class MessagePage(Schema):
    results: list[MessageOut]
    next: str | None


class MessageIn(Schema):
    body: str = Field(..., max_length=services.MAX_BODY)


class ReadIn(Schema):
    message_id: int | None = Field(None, description="Read up to this message (default: the "
                                                     "newest).")


class ReadOut(Schema):
    last_read_id: int


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    conversation = queries.readable_conversation(request.user, pk)
    if conversation is None:
        raise NotFound()
    return conversation


def _refused(error: services.ChatError) -> APIError:
    if isinstance(error, services.PostingTooFast):
        return RateLimited(60)
    return ChatRefused(str(error))


def _with_unread(queryset: QuerySet, user) -> QuerySet:
    """Each conversation's unread count for `user`, as correlated subqueries (one query)."""
    # Inside the message subquery, so the outer row is a message: match on its conversation.
    last_read = Membership.objects.filter(conversation=OuterRef("conversation_id"),
                                          user_id=user.pk)
    unread = (Message.objects.filter(conversation=OuterRef("pk"), deleted_at__isnull=True,
                                     pk__gt=Coalesce(Subquery(
                                         last_read.values("last_read_id")[:1]), Value(0)))
              .exclude(author_id=user.pk).order_by().values("conversation")
              .annotate(count=Count("pk")).values("count"))
    return queryset.annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()),
                                             Value(0)))


def _titled(user, conversations: list[Conversation]) -> list[Conversation]:
    """Set each conversation's title for `user`; drop discussions of records they can't see."""
    direct = queries.direct_titles(user, [c for c in conversations if c.is_direct])
    records = queries.discussion_titles(user, [c for c in conversations if c.is_record])
    shown = []
    for conversation in conversations:
        if conversation.is_record and conversation.pk not in records:
            continue
        conversation.title = (direct.get(conversation.pk) or records.get(conversation.pk)
                              or conversation.name)
        shown.append(conversation)
    return shown


def _page(queryset: QuerySet, request: HttpRequest, order_by: str,
          pagination: CursorPagination.Input) -> dict:
    return CursorPagination(order_by=order_by).paginate_queryset(queryset, pagination, request)


@router.get("/conversations", response=ConversationPage, url_name="list_conversations",
            summary="List my conversations with unread counts")
def list_conversations(request, pagination: Query[CursorPagination.Input]):
    services.sync_team_channels(request.user)
    mine = Conversation.objects.filter(
        pk__in=Membership.objects.filter(user_id=request.user.pk).values("conversation_id"))
    if not queries.is_staff_user(request.user):
        mine = mine.none()
    page = _page(_with_unread(mine, request.user), request, "-last_message_at", pagination)
    page["results"] = _titled(request.user, page["results"])
    return page


@router.post("/conversations", response={201: ConversationOut}, auth=scope_required(WRITE),
             url_name="create_conversation", summary="Create a channel or open a direct message")
def create_conversation(request, body: ConversationIn):
    people = list(get_user_model().objects.filter(pk__in=body.members, is_active=True))
    try:
        if body.kind == "channel":
            conversation = services.create_channel(
                actor=request.user, name=body.name, topic=body.topic,
                is_private=body.is_private, members=people)
        else:
            conversation = services.open_direct(actor=request.user, others=people)
    except services.ChatError as error:
        raise _refused(error) from error
    conversation.title = queries.conversation_title(request.user, conversation)
    return Status(201, conversation)


@router.get("/conversations/{int:conversation_id}", response=ConversationOut,
            url_name="get_conversation", summary="Get a conversation")
def get_conversation(request, conversation_id: int):
    conversation = _conversation(request, conversation_id)
    conversation = _with_unread(Conversation.objects.filter(pk=conversation.pk),
                                request.user).get()
    return _titled(request.user, [conversation])[0]


@router.get("/conversations/{int:conversation_id}/members", response=PersonPage,
            url_name="list_conversation_members", summary="List a conversation's members")
def list_members(request, conversation_id: int, pagination: Query[CursorPagination.Input]):
    conversation = _conversation(request, conversation_id)
    page = _page(queries.members_of(conversation), request, "id", pagination)
    page["results"] = [{"id": u.pk, "email": u.email, "name": str(u)}
                       for u in page["results"]]
    return page


@router.post("/conversations/{int:conversation_id}/members", response=list[PersonOut],
             auth=scope_required(WRITE), url_name="add_conversation_members",
             summary="Add people to a channel")
def add_members(request, conversation_id: int, body: MembersIn):
    conversation = _conversation(request, conversation_id)
    people = list(get_user_model().objects.filter(pk__in=body.users, is_active=True))
    try:
        added = services.add_members(actor=request.user, conversation=conversation,
                                     users=people)
    except services.ChatError as error:
        raise _refused(error) from error
    return [{"id": u.pk, "email": u.email, "name": str(u)} for u in added]


def _message_out(message: Message) -> dict:
    author = message.author
    return {"id": message.pk, "conversation_id": message.conversation_id,
            "author_id": message.author_id,
            "author_name": str(author) if author else "",
            "body": message.body, "created_at": message.created_at,
            "edited_at": message.edited_at, "deleted_at": message.deleted_at}


@router.get("/conversations/{int:conversation_id}/messages", response=MessagePage,
            url_name="list_messages", summary="List messages, newest first")
def list_messages(request, conversation_id: int, pagination: Query[CursorPagination.Input]):
    conversation = _conversation(request, conversation_id)
    messages = Message.objects.filter(conversation=conversation).select_related("author")
    page = _page(messages, request, "-id", pagination)
    page["results"] = [_message_out(m) for m in page["results"]]
    return page


@router.post("/conversations/{int:conversation_id}/messages", response={201: MessageOut},
             auth=scope_required(WRITE), url_name="post_message", summary="Post a message")
def post_message(request, conversation_id: int, body: MessageIn):
    conversation = _conversation(request, conversation_id)
    try:
        message = services.post_message(actor=request.user, conversation=conversation,
                                         body=body.body)
    except services.ChatError as error:
        raise _refused(error) from error
    return Status(201, _message_out(message))


def _message(request: HttpRequest, pk: int) -> Message:
    message = queries.readable_message(request.user, pk)
    if message is None:
        raise NotFound()
    return message


@router.patch("/messages/{int:message_id}", response=MessageOut, auth=scope_required(WRITE),
              url_name="edit_message", summary="Edit your message")
def edit_message(request, message_id: int, body: MessageIn):
    message = _message(request, message_id)
    try:
        message = services.edit_message(actor=request.user, message=message, body=body.body)
    except services.ChatError as error:
        raise _refused(error) from error
    return _message_out(message)


@router.delete("/messages/{int:message_id}", response={204: None},
               auth=scope_required(WRITE), url_name="delete_message",
               summary="Delete your message")
def delete_message(request, message_id: int):
    message = _message(request, message_id)
    try:
        services.delete_message(actor=request.user, message=message)
    except services.ChatError as error:
        raise _refused(error) from error
    return Status(204, None)


@router.post("/conversations/{int:conversation_id}/read", response=ReadOut,
             auth=scope_required(WRITE), url_name="mark_conversation_read",
             summary="Move your read marker")
def mark_read(request, conversation_id: int, body: ReadIn):
    conversation = _conversation(request, conversation_id)
    services.mark_read(user=request.user, conversation=conversation,
                       message_id=body.message_id)
    return {"last_read_id": queries.last_read_id(request.user, conversation)}


@router.post("/records/{str:record_type}/{int:record_id}/discussion",
             response=ConversationOut, auth=scope_required(WRITE),
             url_name="record_discussion",
             summary="Get (or start) the discussion of a contact, company or deal")
def record_discussion(request, record_type: Literal["contact", "company", "deal"],
                      record_id: int):
    object_type = OBJECT_TYPES[record_type]
    record = visible_to(request.user, object_type.model.objects.filter(pk=record_id)).first()
    if record is None:
        raise NotFound()
    conversation = services.discussion_for(actor=request.user, record=record)
    conversation = _with_unread(Conversation.objects.filter(pk=conversation.pk),
                                request.user).get()
    return _titled(request.user, [conversation])[0]


prefix = "/chat"
