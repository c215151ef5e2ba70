"""Live updates over websockets: who may listen, and what a move sends to whom."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from clarion.asgi import application
from tests.crm import board_fixtures
from tests.crm.board_fixtures import make_deal

# Fixtures shared with the other board tests.
pipeline = board_fixtures.pipeline
stages = board_fixtures.stages

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def communicator(path: str, client: Client | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if client is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def test_a_board_socket_needs_a_signed_in_user(pipeline):
    async def scenario():
        socket = communicator(f"/ws/boards/{pipeline.pk}/")
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    assert asyncio.run(scenario()) is False


def test_a_socket_from_a_foreign_origin_is_refused(admin_user, pipeline):
    client = signed_in_client(admin_user)

    async def scenario():
        socket = WebsocketCommunicator(application, f"/ws/boards/{pipeline.pk}/", headers=[
            (b"origin", b"https://evil.example.com"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())])
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    assert asyncio.run(scenario()) is False


def test_a_move_is_broadcast_to_everyone_watching_the_pipeline(admin_user, pipeline, stages):
    deal = make_deal(admin_user, stages[0], name="Broadcast")
    watcher = signed_in_client(admin_user)
    mover = signed_in_client(admin_user)

    async def scenario():
        socket = communicator(f"/ws/boards/{pipeline.pk}/", watcher)
        connected, _ = await socket.connect()
        assert connected
        response = await database_sync_to_async(mover.post)(
            "/deals/board/move/", {"deal": deal.pk, "stage": stages[2].pk})
        assert response.status_code == 200
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return message

    message = asyncio.run(scenario())
    assert message["type"] == "changed"
    assert (message["object_type"], message["id"]) == ("deal", deal.pk)
    assert message["actor_id"] == admin_user.pk


def test_a_user_who_cannot_see_the_deal_hears_nothing_of_its_move(admin_user, sales_user,
                                                                  pipeline, stages):
    deal = make_deal(admin_user, stages[0], name="Private")
    watcher = signed_in_client(sales_user)
    mover = signed_in_client(admin_user)

    async def scenario():
        socket = communicator(f"/ws/boards/{pipeline.pk}/", watcher)
        connected, _ = await socket.connect()
        assert connected
        await database_sync_to_async(mover.post)(
            "/deals/board/move/", {"deal": deal.pk, "stage": stages[2].pk})
        silent = await socket.receive_nothing(timeout=1)
        await socket.disconnect()
        return silent

    assert asyncio.run(scenario()) is True


def test_a_record_socket_hears_changes_to_its_record(admin_user, stages):
    from clarion.crm.services import update_record

    deal = make_deal(admin_user, stages[0], name="Watched")
    watcher = signed_in_client(admin_user)

    async def scenario():
        socket = communicator(f"/ws/records/deal/{deal.pk}/", watcher)
        connected, _ = await socket.connect()
        assert connected
        await database_sync_to_async(update_record)(
            deal, actor=admin_user, values={"name": "Watched closely"})
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return message

    message = asyncio.run(scenario())
    assert (message["object_type"], message["id"]) == ("deal", deal.pk)


def test_a_record_socket_is_refused_for_a_record_the_user_cannot_see(admin_user, sales_user,
                                                                     stages):
    deal = make_deal(admin_user, stages[0], name="Not yours")
    watcher = signed_in_client(sales_user)

    async def scenario():
        socket = communicator(f"/ws/records/deal/{deal.pk}/", watcher)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    assert asyncio.run(scenario()) is False


def test_a_change_dispatched_in_another_thread_still_reaches_the_sockets(admin_user, pipeline,
                                                                        stages):
    """`clarion run` dispatches events in a worker thread outside the server's event loop."""
    from clarion.crm import live

    deal = make_deal(admin_user, stages[0], name="From the worker")
    watcher = signed_in_client(admin_user)

    async def scenario():
        socket = communicator(f"/ws/boards/{pipeline.pk}/", watcher)
        connected, _ = await socket.connect()
        assert connected
        await asyncio.get_running_loop().run_in_executor(None, lambda: live.announce(
            object_type="deal", record_id=deal.pk, pipeline_id=pipeline.pk))
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return message

    assert asyncio.run(scenario())["id"] == deal.pk


def test_a_deleted_deal_leaves_every_board_showing_it(admin_user, pipeline, stages):
    deal = make_deal(admin_user, stages[0], name="Going away")
    watcher = signed_in_client(admin_user)
    deleter = signed_in_client(admin_user)

    async def scenario():
        socket = communicator(f"/ws/boards/{pipeline.pk}/", watcher)
        connected, _ = await socket.connect()
        assert connected
        response = await database_sync_to_async(deleter.post)(
            f"/deals/{deal.pk}/delete/", {"confirm": "yes"})
        assert response.status_code == 302
        message = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return message

    message = asyncio.run(scenario())
    assert message == {"type": "deleted", "object_type": "deal", "id": deal.pk, "actor": "",
                       "actor_id": None}
