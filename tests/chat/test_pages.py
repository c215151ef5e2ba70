"""The chat pages: the sidebar with unread counts, posting without JavaScript, fragments for
live updates, editing and deleting one's own messages, record cards without leaks."""

import pytest
from django.test import override_settings
from django.urls import reverse

from clarion.chat import queries, services
from clarion.chat.models import Conversation, Message
from clarion.collab.mentions import mention_token
from tests.chat.factories import PASSWORD, deal_owned_by, person, team, team_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(roles):
    sales_team = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales_team])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales_team])
    return ada, bob


def signed_in(client, user):
    client.login(email=user.email, password=PASSWORD)
    return client


def test_chat_home_opens_the_team_channel(client, sales):
    ada, _bob = sales
    response = signed_in(client, ada).get(reverse("chat:home"), follow=True)
    assert response.status_code == 200
    channel = Conversation.objects.get(kind="team")
    assert response.redirect_chain[-1][0] == reverse("chat:conversation", args=[channel.pk])
    assert b"Sales" in response.content
    assert b'data-mentions' in response.content


def test_posting_without_javascript_redirects_to_the_message(client, sales):
    ada, bob = sales
    channel = team_channel(ada)
    response = signed_in(client, ada).post(reverse("chat:post", args=[channel.pk]),
                                           {"body": f"Hi {mention_token(bob)} <b>x</b>"})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#message-{message.pk}")
    page = client.get(reverse("chat:conversation", args=[channel.pk]))
    assert b"&lt;b&gt;x&lt;/b&gt;" in page.content
    assert b'class="mention"' in page.content


def test_a_conversation_page_reads_in_a_fixed_number_of_queries(client, sales,
                                                                django_assert_max_num_queries):
    ada, bob = sales
    channel = team_channel(ada)
    deals = [deal_owned_by(ada, f"Deal {n}") for n in range(5)]
    for number, deal in enumerate(deals):
        services.post_message(actor=bob if number % 2 else ada, conversation=channel,
                              body=f"{mention_token(bob)} see #deal:{deal.pk} and /contacts/9/")
    for number in range(4):
        room = services.create_channel(actor=ada, name=f"Room {number}", members=[bob])
        services.post_message(actor=bob, conversation=room, body="hello")
    signed_in(client, ada)
    url = reverse("chat:conversation", args=[channel.pk])
    client.get(url)  # team channels synced, session warmed
    with django_assert_max_num_queries(24):
        response = client.get(url)
    assert response.content.decode().count('class="chat-record-card"') == 5
    with django_assert_max_num_queries(12):
        fragment = client.get(reverse("chat:messages", args=[channel.pk]) + "?after=0")
    assert fragment.content.decode().count("chat-message-body") == 5


def test_live_fragments_return_newer_messages_and_move_the_read_marker(client, sales):
    ada, bob = sales
    channel = team_channel(ada)
    first = services.post_message(actor=ada, conversation=channel, body="first")
    services.post_message(actor=ada, conversation=channel, body="second")
    signed_in(client, bob)
    url = reverse("chat:messages", args=[channel.pk])
    fragment = client.get(f"{url}?after={first.pk}&read=1").content.decode()
    assert "second" in fragment and "first" not in fragment
    assert queries.sidebar(bob).unread_total == 0


@override_settings(CLARION_CHAT_MESSAGES_PER_MINUTE=1)
def test_posting_too_fast_from_the_page_says_why(client, sales):
    ada, _bob = sales
    channel = team_channel(ada)
    signed_in(client, ada)
    url = reverse("chat:post", args=[channel.pk])
    assert client.post(url, {"body": "one"}, HTTP_HX_REQUEST="true").status_code == 204
    refused = client.post(url, {"body": "two"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 429
    assert "too quickly" in refused.content.decode()
    page = client.post(url, {"body": "three"}, follow=True)
    assert "too quickly" in page.content.decode()


def test_editing_and_deleting_from_the_page(client, sales):
    ada, bob = sales
    channel = team_channel(ada)
    message = services.post_message(actor=ada, conversation=channel, body="draft")
    signed_in(client, ada)
    edit_url = reverse("chat:message_edit", args=[channel.pk, message.pk])
    assert b"Edit your message" in client.get(edit_url, HTTP_HX_REQUEST="true").content
    edited = client.post(edit_url, {"body": "final"}, HTTP_HX_REQUEST="true")
    assert b"final" in edited.content and b"(edited)" in edited.content
    deleted = client.post(reverse("chat:message_delete", args=[channel.pk, message.pk]))
    assert deleted.status_code == 302
    message.refresh_from_db()
    assert message.is_deleted
    client.logout()
    signed_in(client, bob)
    assert client.get(edit_url).status_code == 404  # not Bob's message


def test_creating_a_channel_and_a_direct_message_from_the_pages(client, sales):
    ada, bob = sales
    signed_in(client, ada)
    created = client.post(reverse("chat:channels"), {"name": "Launch", "topic": "Spring",
                                                     "members": [bob.pk]})
    channel = Conversation.objects.get(name="Launch")
    assert created["Location"] == reverse("chat:conversation", args=[channel.pk])
    again = client.post(reverse("chat:channels"), {"name": "launch"})
    assert again.status_code == 422 and "already a channel" in again.content.decode()
    direct = client.post(reverse("chat:direct_new"), {"people": [bob.pk]})
    conversation = Conversation.objects.get(kind="direct")
    assert direct["Location"] == reverse("chat:conversation", args=[conversation.pk])
    page = client.get(direct["Location"]).content.decode()
    assert "<h1" in page and "Bob" in page
