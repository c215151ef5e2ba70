"""Chat websockets: a conversation's socket hears its new, edited and deleted messages; the
user's socket hears activity for the sidebar; nobody connects to, or hears about, a
conversation they may not read. Runs on the Redis channel layer when REDIS_URL is set."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from clarion.asgi import application
from clarion.chat import services
from tests.chat.factories import deal_owned_by, person, team, team_channel

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    eve = person(roles, "eve@example.com", "Eve", "Support", [team("Support")])
    return ada, bob, eve


def socket_for(path: str, user=None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def connects(path: str, user=None) -> tuple[bool, int | None]:
    async def scenario():
        socket = socket_for(path, user)
        connected, code = await socket.connect()
        await socket.disconnect()
        return connected, code

    return asyncio.run(scenario())


def test_a_chat_socket_needs_a_signed_in_user(people):
    ada, _bob, _eve = people
    channel = team_channel(ada)
    assert connects("/ws/chat/") == (False, 4401)
    assert connects(f"/ws/chat/{channel.pk}/") == (False, 4401)


def test_a_socket_is_refused_for_a_conversation_the_user_may_not_read(people):
    ada, bob, eve = people
    secret = services.create_channel(actor=ada, name="Board", is_private=True, members=[bob])
    direct = services.open_direct(actor=ada, others=[bob])
    discussion = services.discussion_for(actor=ada, record=deal_owned_by(ada))
    for conversation in (secret, direct):
        assert connects(f"/ws/chat/{conversation.pk}/", eve) == (False, 4403)
    assert connects(f"/ws/chat/{discussion.pk}/", bob) == (False, 4403)
    assert connects(f"/ws/chat/{secret.pk}/", bob)[0] is True


def test_new_edited_and_deleted_messages_reach_the_conversation_socket(people):
    ada, bob, _eve = people
    channel = team_channel(ada)

    async def scenario():
        socket = socket_for(f"/ws/chat/{channel.pk}/", bob)
        assert (await socket.connect())[0]
        message = await database_sync_to_async(services.post_message)(
            actor=ada, conversation=channel, body="hello")
        heard = [await socket.receive_json_from(timeout=5)]
        await database_sync_to_async(services.edit_message)(
            actor=ada, message=message, body="hello all")
        heard.append(await socket.receive_json_from(timeout=5))
        await database_sync_to_async(services.delete_message)(actor=ada, message=message)
        heard.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return message.pk, heard

    message_id, heard = asyncio.run(scenario())
    assert [(h["type"], h["change"], h["message"]) for h in heard] == [
        ("message", "new", message_id), ("message", "edited", message_id),
        ("message", "deleted", message_id)]
    assert all(h["conversation"] == channel.pk and h["actor_id"] == ada.pk for h in heard)
    assert "body" not in heard[0]  # ids only; pages fetch the HTML through the views


def test_the_user_socket_hears_activity_in_their_conversations_only(people):
    ada, bob, eve = people
    direct = services.open_direct(actor=ada, others=[bob])
    secret = services.create_channel(actor=ada, name="Board", is_private=True, members=[bob])

    async def scenario():
        bobs, eves = socket_for("/ws/chat/", bob), socket_for("/ws/chat/", eve)
        assert (await bobs.connect())[0] and (await eves.connect())[0]
        await database_sync_to_async(services.post_message)(
            actor=ada, conversation=direct, body="psst")
        await database_sync_to_async(services.post_message)(
            actor=ada, conversation=secret, body="agenda")
        heard = [await bobs.receive_json_from(timeout=5), await bobs.receive_json_from(timeout=5)]
        silent = await eves.receive_nothing(timeout=1)
        await bobs.disconnect()
        await eves.disconnect()
        return heard, silent

    heard, silent = asyncio.run(scenario())
    assert {(h["type"], h["conversation"]) for h in heard} == {
        ("activity", direct.pk), ("activity", secret.pk)}
    assert silent is True


def test_someone_removed_from_a_channel_stops_hearing_it(people):
    ada, bob, _eve = people
    room = services.create_channel(actor=ada, name="Room", is_private=True, members=[bob])

    async def scenario():
        socket = socket_for(f"/ws/chat/{room.pk}/", bob)
        assert (await socket.connect())[0]
        await database_sync_to_async(services.leave_conversation)(actor=bob, conversation=room)
        await database_sync_to_async(services.post_message)(
            actor=ada, conversation=room, body="after you left")
        silent = await socket.receive_nothing(timeout=1)
        await socket.disconnect()
        return silent

    assert asyncio.run(scenario()) is True
