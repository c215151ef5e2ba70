"""The chat REST API: my conversations with unread counts (no N+1), channels and direct
messages, members, messages with cursors, edits, deletions, read markers, record
discussions — and 404 for every conversation the key's user may not read."""

import pytest
from django.test import override_settings

from clarion.chat import services
from clarion.chat.models import Message
from tests.chat.factories import deal_owned_by, person, team, team_channel
from tests.crm.api_support import key_for

pytestmark = pytest.mark.django_db
CHAT = ("chat:read", "chat:write")


@pytest.fixture
def people(roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    eve = person(roles, "eve@example.com", "Eve", "Support", [team("Support")])
    return ada, bob, eve


def test_my_conversations_list_unread_counts_in_few_queries(client, people,
                                                             django_assert_max_num_queries):
    ada, bob, eve = people
    headers = key_for(bob, *CHAT)
    channel = team_channel(ada)
    services.sync_team_channels(bob)
    for number in range(5):
        room = services.create_channel(actor=ada, name=f"Room {number}", members=[bob])
        services.post_message(actor=ada, conversation=room, body="hello")
    direct = services.open_direct(actor=ada, others=[bob])
    services.post_message(actor=ada, conversation=direct, body="hi")
    services.post_message(actor=ada, conversation=direct, body="there")
    services.create_channel(actor=eve, name="Support only", is_private=True)

    with django_assert_max_num_queries(14):
        response = client.get("/api/v1/chat/conversations?limit=20", **headers)
    assert response.status_code == 200
    results = {row["id"]: row for row in response.json()["results"]}
    assert len(results) == 7
    assert results[direct.pk]["unread"] == 2 and results[direct.pk]["title"] == "Ada"
    assert results[channel.pk]["unread"] == 0 and results[channel.pk]["kind"] == "team"
    assert "Support only" not in {row["name"] for row in results.values()}


def test_conversation_list_pages_with_a_cursor(client, people):
    ada, bob, _eve = people
    headers = key_for(bob, *CHAT)
    for number in range(3):
        services.create_channel(actor=ada, name=f"Room {number}", members=[bob])
    first = client.get("/api/v1/chat/conversations?limit=2", **headers).json()
    second = client.get(f"/api/v1/chat/conversations?limit=2&cursor={first['next']}",
                        **headers).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 4  # three rooms and the team channel
    assert second["next"] is None


def test_create_a_channel_and_a_direct_message(client, people):
    ada, bob, _eve = people
    headers = key_for(ada, *CHAT)
    channel = client.post("/api/v1/chat/conversations", {
        "kind": "channel", "name": "Launch", "topic": "Spring launch", "is_private": True,
        "members": [bob.pk]}, content_type="application/json", **headers)
    assert channel.status_code == 201 and channel.json()["is_private"] is True
    members = client.get(f"/api/v1/chat/conversations/{channel.json()['id']}/members",
                         **headers).json()["results"]
    assert {m["email"] for m in members} == {ada.email, bob.email}
    direct = client.post("/api/v1/chat/conversations", {"kind": "direct", "members": [bob.pk]},
                         content_type="application/json", **headers)
    assert direct.status_code == 201 and direct.json()["title"] == "Bob"
    duplicate = client.post("/api/v1/chat/conversations", {"kind": "channel", "name": "launch"},
                            content_type="application/json", **headers)
    assert duplicate.status_code == 422
    assert "already a channel" in duplicate.json()["error"]["message"]


def test_post_list_edit_delete_and_read(client, people):
    ada, bob, _eve = people
    ada_headers, bob_headers = key_for(ada, *CHAT), key_for(bob, *CHAT)
    channel = team_channel(ada)
    base = f"/api/v1/chat/conversations/{channel.pk}"
    ids = [client.post(f"{base}/messages", {"body": f"note {n}"},
                       content_type="application/json", **ada_headers).json()["id"]
           for n in range(3)]
    page = client.get(f"{base}/messages?limit=2", **bob_headers).json()
    assert [m["id"] for m in page["results"]] == [ids[2], ids[1]]
    older = client.get(f"{base}/messages?limit=2&cursor={page['next']}", **bob_headers).json()
    assert [m["id"] for m in older["results"]] == [ids[0]]

    assert client.get(base, **bob_headers).json()["unread"] == 3
    read = client.post(f"{base}/read", {"message_id": ids[1]}, content_type="application/json",
                       **bob_headers)
    assert read.json() == {"last_read_id": ids[1]}
    assert client.get(base, **bob_headers).json()["unread"] == 1

    edited = client.patch(f"/api/v1/chat/messages/{ids[0]}", {"body": "note zero"},
                          content_type="application/json", **ada_headers)
    assert edited.json()["body"] == "note zero" and edited.json()["edited_at"]
    assert client.patch(f"/api/v1/chat/messages/{ids[0]}", {"body": "mine now"},
                        content_type="application/json", **bob_headers).status_code == 422
    assert client.delete(f"/api/v1/chat/messages/{ids[2]}", **ada_headers).status_code == 204
    assert Message.objects.get(pk=ids[2]).deleted_at is not None


def test_every_endpoint_answers_404_for_a_conversation_the_user_may_not_read(client, people):
    ada, bob, eve = people
    headers = key_for(eve, *CHAT)
    secret = services.create_channel(actor=ada, name="Board", is_private=True, members=[bob])
    message = services.post_message(actor=ada, conversation=secret, body="confidential")
    base = f"/api/v1/chat/conversations/{secret.pk}"
    json = {"content_type": "application/json"}
    calls = [
        client.get(base, **headers),
        client.get(f"{base}/members", **headers),
        client.post(f"{base}/members", {"users": [eve.pk]}, **json, **headers),
        client.get(f"{base}/messages", **headers),
        client.post(f"{base}/messages", {"body": "sneaky"}, **json, **headers),
        client.post(f"{base}/read", {}, **json, **headers),
        client.patch(f"/api/v1/chat/messages/{message.pk}", {"body": "x"}, **json, **headers),
        client.delete(f"/api/v1/chat/messages/{message.pk}", **headers),
    ]
    assert [c.status_code for c in calls] == [404] * len(calls)
    assert calls[0].json()["error"]["code"] == "not_found"
    assert not Message.objects.filter(body="sneaky").exists()


def test_a_record_discussion_is_only_for_people_who_see_the_record(client, people):
    ada, bob, _eve = people
    deal = deal_owned_by(ada)
    url = f"/api/v1/chat/records/deal/{deal.pk}/discussion"
    opened = client.post(url, **key_for(ada, *CHAT))
    assert opened.status_code == 200 and opened.json()["title"] == deal.name
    assert client.post(url, **key_for(bob, *CHAT)).status_code == 404
    conversation_url = f"/api/v1/chat/conversations/{opened.json()['id']}"
    assert client.get(conversation_url, **key_for(bob, *CHAT)).status_code == 404


def test_the_scopes_are_enforced(client, people):
    ada, _bob, _eve = people
    channel = team_channel(ada)
    read_only = key_for(ada, "chat:read")
    assert client.get(f"/api/v1/chat/conversations/{channel.pk}", **read_only).status_code == 200
    posted = client.post(f"/api/v1/chat/conversations/{channel.pk}/messages", {"body": "hi"},
                         content_type="application/json", **read_only)
    assert posted.status_code == 403


@override_settings(CLARION_CHAT_MESSAGES_PER_MINUTE=1)
def test_posting_too_fast_answers_429(client, people):
    ada, _bob, _eve = people
    headers = key_for(ada, *CHAT)
    channel = team_channel(ada)
    url = f"/api/v1/chat/conversations/{channel.pk}/messages"
    client.post(url, {"body": "one"}, content_type="application/json", **headers)
    refused = client.post(url, {"body": "two"}, content_type="application/json", **headers)
    assert refused.status_code == 429 and refused["Retry-After"]
