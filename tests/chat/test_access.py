"""Nobody reaches a conversation they may not read by its id — on any page, fragment or form
— and record references never reveal a record to someone who can't open it."""

import pytest
from django.urls import reverse

from clarion.chat import services
from clarion.chat.models import Message
from tests.chat.factories import PASSWORD, deal_owned_by, person, team, team_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_setup(roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    eve = person(roles, "eve@example.com", "Eve", "Support", [team("Support")])
    secret = services.create_channel(actor=ada, name="Board", is_private=True, members=[bob])
    direct = services.open_direct(actor=ada, others=[bob])
    message = services.post_message(actor=ada, conversation=secret, body="confidential")
    dm_message = services.post_message(actor=ada, conversation=direct, body="just us")
    return ada, bob, eve, secret, direct, message, dm_message


def pages_of(conversation, message):
    pk, mid = conversation.pk, message.pk
    return [
        ("get", reverse("chat:conversation", args=[pk])),
        ("get", reverse("chat:messages", args=[pk]) + "?after=0"),
        ("get", reverse("chat:message", args=[pk, mid])),
        ("get", reverse("chat:message_edit", args=[pk, mid])),
        ("get", reverse("chat:members", args=[pk])),
        ("post", reverse("chat:post", args=[pk])),
        ("post", reverse("chat:message_edit", args=[pk, mid])),
        ("post", reverse("chat:message_delete", args=[pk, mid])),
        ("post", reverse("chat:join", args=[pk])),
        ("post", reverse("chat:leave", args=[pk])),
        ("post", reverse("chat:members", args=[pk])),
    ]


def test_an_outsider_gets_not_found_on_every_chat_page(client, private_setup):
    ada, _bob, eve, secret, direct, message, dm_message = private_setup
    client.login(email=eve.email, password=PASSWORD)
    for conversation, item in ((secret, message), (direct, dm_message)):
        for method, url in pages_of(conversation, item):
            response = getattr(client, method)(url, {"body": "sneaky"} if method == "post"
                                               else None)
            assert response.status_code == 404, (method, url)
    assert Message.objects.filter(body="sneaky").count() == 0
    assert Message.objects.get(pk=message.pk).body == "confidential"


def test_an_outsider_does_not_see_private_conversations_in_the_sidebar(client, private_setup):
    _ada, _bob, eve, secret, _direct, _message, _dm = private_setup
    client.login(email=eve.email, password=PASSWORD)
    response = client.get(reverse("chat:sidebar"))
    assert b"Board" not in response.content
    assert b"Ada" not in response.content
    assert b"Board" not in client.get(reverse("chat:channels")).content


def test_a_record_card_shows_only_to_people_who_can_open_the_record(client, roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    deal = deal_owned_by(ada, "Secret merger")
    channel = team_channel(ada)
    services.post_message(actor=ada, conversation=channel,
                          body=f"See #deal:{deal.pk} and http://testserver/deals/{deal.pk}/")
    client.login(email=ada.email, password=PASSWORD)
    mine = client.get(reverse("chat:conversation", args=[channel.pk])).content.decode()
    assert mine.count('class="chat-record-card"') == 2
    assert "Secret merger" in mine and f'href="/deals/{deal.pk}/"' in mine
    client.logout()
    client.login(email=bob.email, password=PASSWORD)
    theirs = client.get(reverse("chat:conversation", args=[channel.pk])).content.decode()
    assert "Secret merger" not in theirs
    assert theirs.count("a record you can't open") == 2


def test_another_sites_address_is_not_a_record_card(client, roles):
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [team("Sales")])
    deal = deal_owned_by(ada, "Secret merger")
    channel = team_channel(ada)
    services.post_message(actor=ada, conversation=channel,
                          body=f"https://elsewhere.example.com/deals/{deal.pk}/")
    client.login(email=ada.email, password=PASSWORD)
    page = client.get(reverse("chat:conversation", args=[channel.pk])).content.decode()
    assert "chat-record-card" not in page and "elsewhere.example.com" in page


def test_the_discussion_panel_shows_on_the_record_page_for_people_who_see_it(client, roles):
    sales = team("Sales")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    deal = deal_owned_by(ada, "Acme renewal")
    client.login(email=ada.email, password=PASSWORD)
    post = client.post(reverse("chat:record_post", args=["deal", deal.pk]),
                       {"body": "Legal signed off"})
    assert post.status_code == 302 and post["Location"].endswith("#discussion")
    page = client.get(deal.get_absolute_url()).content.decode()
    assert 'id="discussion"' in page and "Legal signed off" in page
    client.logout()
    client.login(email=bob.email, password=PASSWORD)
    assert client.get(deal.get_absolute_url()).status_code == 404
    assert client.post(reverse("chat:record_post", args=["deal", deal.pk]),
                       {"body": "me too"}).status_code == 404
    assert client.get(reverse("chat:record_discussion", args=["deal", deal.pk])
                      ).status_code == 404
    discussion = Message.objects.get().conversation
    assert client.get(reverse("chat:conversation", args=[discussion.pk])).status_code == 404
