"""The open pixel: always a GIF; people's opens counted and on the timeline, machines' apart."""

import pytest

from clarion.sending.models import Message
from tests.tracking.support import HUMAN_AGENT, events, make_message, make_send, token_of

pytestmark = pytest.mark.django_db

APPLE_PROXY = "Mozilla/5.0"
GMAIL_PROXY = ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
               "(via ggpht.com GoogleImageProxy)")


def fetch(client, token, agent=HUMAN_AGENT, **extra):
    return client.get(f"/t/o/{token}.gif", HTTP_USER_AGENT=agent, **extra)


def test_pixel_is_a_gif_that_is_never_cached(client):
    response = fetch(client, token_of(make_message()))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and len(response.content) == 42
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_a_persons_open_is_counted_and_emitted_each_time(client):
    message = make_message()
    fetch(client, token_of(message))
    fetch(client, token_of(message))
    message.refresh_from_db()
    assert message.open_count == 2 and message.machine_open_count == 0
    assert message.opened_at is not None
    opened = events("email.opened", message)
    assert len(opened) == 2
    assert opened[0].contact_id == message.contact_id
    assert opened[0].data["send_id"] == message.send_id
    assert opened[0].subject_id == message.send_id


def test_first_open_time_is_kept(client):
    message = make_message()
    fetch(client, token_of(message))
    first = Message.objects.get(pk=message.pk).opened_at
    fetch(client, token_of(message))
    assert Message.objects.get(pk=message.pk).opened_at == first


@pytest.mark.parametrize("agent, address", [
    (APPLE_PROXY, "203.0.113.9"),                      # Apple Mail Privacy Protection
    (HUMAN_AGENT, "17.58.100.1"),                      # Apple's network
    ("Barracuda Sentinel (EE)", "203.0.113.9"),        # a security gateway
    ("python-requests/2.31", "203.0.113.9"),
    ("", "203.0.113.9"),                               # no user agent at all
])
def test_privacy_proxies_and_prefetchers_are_machine_opens(client, agent, address):
    message = make_message()
    fetch(client, token_of(message), agent=agent, REMOTE_ADDR=address)
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (0, 1)
    assert message.opened_at is None
    assert events("email.opened") == []


def test_an_open_seconds_after_sending_is_a_prefetch(client):
    message = make_message(sent_seconds_ago=1)
    fetch(client, token_of(message))
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (0, 1)
    assert events("email.opened") == []


def test_gmail_image_proxy_fetches_when_read_so_it_is_a_person(client):
    message = make_message()
    fetch(client, token_of(message), agent=GMAIL_PROXY, REMOTE_ADDR="66.249.84.1")
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (1, 0)


def test_bad_tokens_get_the_same_gif_and_record_nothing(client):
    message = make_message()
    genuine = fetch(client, token_of(message)).content
    token = token_of(message)
    for forged in [token[:-1] + ("A" if token[-1] != "A" else "B"), "1-" + "a" * 22,
                   "nonsense", token.split("-")[0]]:
        response = fetch(client, forged)
        assert response.status_code == 200 and response.content == genuine
    assert Message.objects.get(pk=message.pk).open_count == 1


def test_unsent_messages_record_no_open(client):
    message = make_message(status=Message.Status.QUEUED)
    assert fetch(client, token_of(message)).status_code == 200
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (0, 0)


def test_opens_over_the_rate_limit_still_get_the_gif_but_are_not_counted(client, settings):
    settings.CLARION_TRACKING_RATE_LIMIT = 3
    message = make_message()
    for _ in range(5):
        assert fetch(client, token_of(message)).status_code == 200
    assert Message.objects.get(pk=message.pk).open_count == 3


def test_pixel_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    message = make_message()
    token = token_of(message)
    fetch(client, token)  # the send's facts are cached from here
    with django_assert_max_num_queries(5):
        fetch(client, token)


def test_head_requests_are_machine_opens(client):
    message = make_message()
    assert client.head(f"/t/o/{token_of(message)}.gif",
                       HTTP_USER_AGENT=HUMAN_AGENT).status_code == 200
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (0, 1)


def test_sends_without_open_tracking_record_no_opens(client):
    send = make_send()
    send.track_opens = False
    send.save(update_fields=["track_opens"])
    message = make_message(send)
    assert fetch(client, token_of(message)).status_code == 200
    message.refresh_from_db()
    assert (message.open_count, message.machine_open_count) == (0, 0)
