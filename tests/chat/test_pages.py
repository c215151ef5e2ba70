"""The chat pages: the sidebar with unread counts, posting without JavaScript, fragments for
live updates, editing and deleting one's own messages, record cards without leaks."""

import pytest
from django.urls import reverse

from clarion.chat.models import Conversation, Message
from clarion.collab.mentions import mention_token
from tests.chat.factories import PASSWORD, person, team, team_channel

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
