"""Chat services and access rules: who may read what, unread counts, mentions notify only
people who may read, the posting limit, and message text kept plain."""

import pytest
from django.test import override_settings

from clarion.chat import queries, services
from clarion.chat.models import Conversation, Membership
from clarion.collab.mentions import mention_token
from clarion.core.events.models import Event
from clarion.notifications.models import Notification
from tests.chat.factories import deal_owned_by, person, team, team_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(roles):
    sales, support = team("Sales"), team("Support")
    ada = person(roles, "ada@example.com", "Ada", "Sales manager", [sales])
    bob = person(roles, "bob@example.com", "Bob", "Sales", [sales])
    sol = person(roles, "sol@example.com", "Sol", "Support", [support])
    return ada, bob, sol


def test_each_team_gets_one_channel_with_its_members(people):
    ada, bob, sol = people
    channel = team_channel(ada)
    services.sync_team_channels(bob)
    services.sync_team_channels(sol)
    assert Conversation.objects.filter(kind="team").count() == 2
    assert set(queries.members_of(channel)) == {ada, bob}
    assert queries.can_read(bob, channel)
    assert not queries.can_read(sol, channel)


def test_leaving_a_team_leaves_its_channel(people):
    ada, bob, _sol = people
    channel = team_channel(bob)
    bob.teams.clear()
    services.sync_team_channels(bob)
    assert not queries.can_read(bob, channel)
    assert not Membership.objects.filter(conversation=channel, user=bob).exists()


def test_a_private_channel_is_readable_by_its_members_only(people):
    ada, bob, sol = people
    secret = services.create_channel(actor=ada, name="Pricing", is_private=True, members=[bob])
    assert queries.can_read(bob, secret)
    assert not queries.can_read(sol, secret)
    with pytest.raises(services.ChatError):
        services.post_message(actor=sol, conversation=secret, body="let me in")


def test_a_public_channel_is_readable_by_everyone_and_posting_joins_it(people):
    ada, _bob, sol = people
    lounge = services.create_channel(actor=ada, name="Lounge")
    assert queries.can_read(sol, lounge)
    services.post_message(actor=sol, conversation=lounge, body="Hi all")
    assert queries.is_member(sol, lounge)


def test_a_direct_message_is_reused_for_the_same_people(people):
    ada, bob, sol = people
    first = services.open_direct(actor=ada, others=[bob])
    assert services.open_direct(actor=bob, others=[ada]) == first
    assert not queries.can_read(sol, first)


def test_channel_names_are_unique_and_plain(people):
    ada, _bob, _sol = people
    services.create_channel(actor=ada, name="Launch")
    with pytest.raises(services.ChatError, match="already a channel"):
        services.create_channel(actor=ada, name="#launch")
    with pytest.raises(services.ChatError):
        services.create_channel(actor=ada, name="<script>")


def test_a_record_discussion_follows_the_record(people):
    ada, bob, _sol = people
    deal = deal_owned_by(ada)
    discussion = services.discussion_for(actor=ada, record=deal)
    assert queries.can_read(ada, discussion)
    assert not queries.can_read(bob, discussion)  # Sales sees own deals only
    with pytest.raises(services.ChatError):
        services.discussion_for(actor=bob, record=deal)
    assert services.discussion_for(actor=ada, record=deal) == discussion


def test_unread_counts_others_messages_after_the_read_marker(people):
    ada, bob, _sol = people
    channel = team_channel(ada)
    services.sync_team_channels(bob)
    services.post_message(actor=ada, conversation=channel, body="one")
    services.post_message(actor=ada, conversation=channel, body="two")
    services.post_message(actor=bob, conversation=channel, body="mine")  # marks read
    last = services.post_message(actor=ada, conversation=channel, body="three")
    deleted = services.post_message(actor=ada, conversation=channel, body="oops")
    services.delete_message(actor=ada, message=deleted)

    assert queries.sidebar(bob).channels[0].unread == 1
    assert queries.sidebar(ada).channels[0].unread == 0
    services.mark_read(user=bob, conversation=channel, message_id=last.pk)
    assert queries.sidebar(bob).unread_total == 0


def test_sidebar_reads_in_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    ada, bob, sol = people
    team_channel(ada)
    for number in range(6):
        channel = services.create_channel(actor=ada, name=f"Room {number}", members=[bob])
        services.post_message(actor=bob, conversation=channel, body="hello")
        direct = services.open_direct(actor=ada, others=[bob, sol][: number % 2 + 1])
        services.post_message(actor=bob, conversation=direct, body="hi")
        discussion = services.discussion_for(actor=ada, record=deal_owned_by(ada, f"D{number}"))
        services.post_message(actor=ada, conversation=discussion, body="note")
    with django_assert_max_num_queries(6):
        sidebar = queries.sidebar(ada)
    assert len(sidebar.channels) == 7
    assert len(sidebar.direct) == 2
    assert len(sidebar.discussions) == 6
    assert sidebar.unread_total == 12  # 6 channel messages, 3 in each direct message


def test_a_mention_notifies_only_people_who_may_read(people):
    ada, bob, sol = people
    channel = team_channel(ada)
    services.post_message(actor=ada, conversation=channel,
                          body=f"{mention_token(bob)} and {mention_token(sol)} look")
    notified = Notification.objects.filter(kind="chat.mentioned")
    assert list(notified.values_list("recipient__email", flat=True)) == [bob.email]
    assert notified.get().url.startswith(f"/chat/{channel.pk}/#message-")


def test_a_mention_in_a_hidden_record_discussion_does_not_reach_the_outsider(people):
    ada, bob, _sol = people
    discussion = services.discussion_for(actor=ada, record=deal_owned_by(ada))
    services.post_message(actor=ada, conversation=discussion,
                          body=f"{mention_token(bob)} see this")
    assert not Notification.objects.filter(recipient=bob).exists()


def test_a_direct_message_notifies_the_other_person_once_per_thread(people):
    ada, bob, _sol = people
    direct = services.open_direct(actor=ada, others=[bob])
    services.post_message(actor=ada, conversation=direct, body="hi")
    services.post_message(actor=ada, conversation=direct, body="are you there?")
    assert Notification.objects.filter(recipient=bob, kind="chat.direct_message").count() == 1


def test_editing_to_add_a_mention_notifies_the_newly_mentioned(people):
    ada, bob, _sol = people
    channel = team_channel(ada)
    message = services.post_message(actor=ada, conversation=channel, body="hello")
    services.edit_message(actor=ada, message=message, body=f"hello {mention_token(bob)}")
    message.refresh_from_db()
    assert message.edited_at is not None
    assert Notification.objects.filter(recipient=bob, kind="chat.mentioned").count() == 1
    assert Event.objects.filter(kind="chat.message.edited", subject_id=message.pk).exists()


def test_only_the_author_edits_or_deletes_a_message(people):
    ada, bob, _sol = people
    channel = team_channel(ada)
    message = services.post_message(actor=ada, conversation=channel, body="mine")
    with pytest.raises(services.ChatError):
        services.edit_message(actor=bob, message=message, body="hijacked")
    with pytest.raises(services.ChatError):
        services.delete_message(actor=bob, message=message)
    services.delete_message(actor=ada, message=message)
    message.refresh_from_db()
    assert message.is_deleted and message.body == ""


def test_message_text_is_trimmed_and_control_characters_dropped(people):
    ada, _bob, _sol = people
    channel = team_channel(ada)
    message = services.post_message(actor=ada, conversation=channel, body="  hi\x00\x07 there \n")
    assert message.body == "hi there"
    with pytest.raises(services.ChatError, match="Write a message"):
        services.post_message(actor=ada, conversation=channel, body="   ")
    with pytest.raises(services.ChatError, match="at most 4000"):
        services.post_message(actor=ada, conversation=channel, body="x" * 4001)


@override_settings(CLARION_CHAT_MESSAGES_PER_MINUTE=3)
def test_posting_too_fast_is_refused_with_a_clear_message(people):
    ada, _bob, _sol = people
    channel = team_channel(ada)
    for number in range(3):
        services.post_message(actor=ada, conversation=channel, body=f"message {number}")
    with pytest.raises(services.PostingTooFast, match="at most 3 a minute"):
        services.post_message(actor=ada, conversation=channel, body="one more")
    assert channel.messages.count() == 3


def test_posting_records_an_event(people):
    ada, _bob, _sol = people
    channel = team_channel(ada)
    message = services.post_message(actor=ada, conversation=channel, body="hello")
    event = Event.objects.get(kind="chat.message.posted")
    assert event.subject_id == message.pk
    assert event.data == {"conversation": channel.pk, "actor": ada.pk}
    assert event.actor is None  # kept out of the team activity feed


def test_a_guest_sees_no_team_chat(people, roles):
    ada, _bob, _sol = people
    guest = person(roles, "guest@example.com", "Gus", "Read-only", [team("Sales")])
    guest.is_guest = True
    guest.save(update_fields=["is_guest"])
    lounge = services.create_channel(actor=ada, name="Lounge")
    discussion = services.discussion_for(actor=ada, record=deal_owned_by(ada))
    services.sync_team_channels(guest)
    assert not queries.can_read(guest, discussion)
    assert not queries.can_read(guest, lounge)
    assert not queries.can_read(guest, team_channel(ada))
    assert queries.sidebar(guest).channels == []
    with pytest.raises(services.ChatError):
        services.open_direct(actor=guest, others=[ada])


def test_private_conversations_stay_out_of_the_team_activity_feed(people):
    from clarion.notifications.activity import ActivityFilter, feed_page

    ada, bob, sol = people
    direct = services.open_direct(actor=ada, others=[bob])
    services.post_message(actor=ada, conversation=direct, body="salary talk")
    entries, _cursor = feed_page(sol, ActivityFilter())
    assert not [e for e in entries if e.event.kind.startswith("chat.")]

