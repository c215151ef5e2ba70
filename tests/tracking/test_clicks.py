"""The click redirect: only to the email's own links, people's clicks counted, scanners' apart."""

import secrets

import pytest
from django.core.cache import cache

from clarion.sending.models import Message
from clarion.sending.tokens import message_token
from tests.tracking.support import (
    HUMAN_AGENT,
    LINKS,
    events,
    make_message,
    make_send,
    token_of,
)

pytestmark = pytest.mark.django_db


def click(client, token, index, agent=HUMAN_AGENT, method="get", **extra):
    return getattr(client, method)(f"/t/c/{token}/{index}/", HTTP_USER_AGENT=agent, **extra)


def test_click_redirects_to_the_link_at_that_index(client):
    message = make_message()
    response = click(client, token_of(message), 1)
    assert response.status_code == 302
    assert response["Location"] == LINKS[1]
    assert response["Referrer-Policy"] == "no-referrer"
    assert click(client, token_of(message), 0)["Location"] == LINKS[0]


def test_a_persons_click_is_counted_with_an_event(client):
    message = make_message()
    click(client, token_of(message), 1)
    message.refresh_from_db()
    assert (message.click_count, message.machine_click_count) == (1, 0)
    assert message.clicked_at is not None
    [clicked] = events("email.clicked", message)
    assert clicked.data["url"] == LINKS[1] and clicked.data["link"] == 1
    assert clicked.contact_id == message.contact_id


def test_a_click_counts_as_the_first_open_when_none_was_seen(client):
    message = make_message()
    click(client, token_of(message), 0)
    message.refresh_from_db()
    assert message.open_count == 1 and message.opened_at == message.clicked_at
    assert len(events("email.opened", message)) == 1
    cache.clear()  # another click, later: not a burst
    click(client, token_of(message), 1)
    message.refresh_from_db()
    assert message.open_count == 1 and message.click_count == 2
    assert len(events("email.opened", message)) == 1


def test_the_variant_decides_which_links_exist(client):
    send = make_send(variants=[{"links": ["https://a.example.com/"]},
                               {"links": ["https://b.example.com/", "https://c.example.com/"]}])
    first = make_message(send, variant=0)
    second = make_message(send, variant=1)
    assert click(client, token_of(second), 1)["Location"] == "https://c.example.com/"
    assert click(client, token_of(first), 1).status_code == 404


@pytest.mark.parametrize("path_tail", ["3/", "99/", "100000000000000000000/", "-1/", "1/extra/",
                                       "x/"])
def test_indices_outside_the_email_are_404(client, path_tail):
    message = make_message()
    response = client.get(f"/t/c/{token_of(message)}/{path_tail}", HTTP_USER_AGENT=HUMAN_AGENT)
    assert response.status_code == 404
    assert Message.objects.get(pk=message.pk).click_count == 0


def test_no_open_redirect_through_query_strings_or_crafted_paths(client):
    message = make_message()
    token = token_of(message)
    response = client.get(f"/t/c/{token}/0/?url=https://evil.example.net/&next=//evil.example.net",
                          HTTP_USER_AGENT=HUMAN_AGENT)
    assert response["Location"] == LINKS[0]
    for path in [f"/t/c/{token}/https://evil.example.net/", f"/t/c/{token}//evil.example.net/",
                 f"/t/c/{token}/0/..%2F..%2Fevil", "/t/c/https:%2F%2Fevil.example.net/0/"]:
        assert client.get(path).status_code == 404


def test_consent_links_and_non_http_links_are_not_redirected(client):
    send = make_send(links=["https://example.com/", "javascript:alert(1)",
                            "https://crm.example.com/email/u/abc/", "{{ unsubscribe_url }}"])
    message = make_message(send)
    assert click(client, token_of(message), 0).status_code == 302
    for index in (1, 2, 3):
        assert click(client, token_of(message), index).status_code == 404


def test_tampered_tokens_are_404(client):
    message = make_message()
    token = token_of(message)
    encoded, mac = token.split("-")
    flipped = mac[:-1] + ("a" if mac[-1] != "a" else "b")
    for forged in [f"{encoded}-{flipped}", f"{encoded}-{mac.upper()}", f"{encoded}x-{mac}",
                   encoded, f"-{mac}", f"{encoded}-{mac}-{mac}"]:
        assert click(client, forged, 0).status_code == 404
    assert Message.objects.get(pk=message.pk).click_count == 0


def test_another_messages_token_only_reaches_that_messages_own_links(client):
    mine = make_message(make_send(links=["https://mine.example.com/"]))
    theirs = make_message(make_send(links=["https://theirs.example.com/", "https://x.example/"]))
    assert click(client, token_of(mine), 1).status_code == 404
    assert click(client, token_of(theirs), 0)["Location"] == "https://theirs.example.com/"
    assert Message.objects.get(pk=mine.pk).click_count == 0


def test_tokens_cannot_be_enumerated(client):
    message = make_message()
    encoded = token_of(message).split("-")[0]
    for _ in range(50):
        guess = f"{encoded}-{secrets.token_urlsafe(16)[:22]}"
        assert click(client, guess, 0).status_code == 404
    for pk in range(1, message.pk + 5):  # other ids with this message's mac
        if pk != message.pk:
            assert click(client, f"{message_token(pk).split('-')[0]}-"
                                 f"{token_of(message).split('-')[1]}", 0).status_code == 404


def test_scanner_head_requests_are_redirected_but_counted_apart(client):
    message = make_message()
    response = click(client, token_of(message), 0, method="head")
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.click_count, message.machine_click_count) == (0, 1)
    assert events("email.clicked") == []


@pytest.mark.parametrize("agent", ["Mozilla/5.0 (compatible; Mimecast URL protect)",
                                   "Proofpoint URL Defense", "curl/8.4.0", ""])
def test_scanner_user_agents_are_machine_clicks(client, agent):
    message = make_message()
    assert click(client, token_of(message), 0, agent=agent).status_code == 302
    message.refresh_from_db()
    assert (message.click_count, message.machine_click_count) == (0, 1)
    assert message.opened_at is None


def test_clicks_right_after_delivery_are_scanners(client):
    message = make_message(sent_seconds_ago=0.5)
    assert click(client, token_of(message), 0).status_code == 302
    message.refresh_from_db()
    assert (message.click_count, message.machine_click_count) == (0, 1)


def test_following_every_link_within_a_second_is_a_scanner(client):
    message = make_message()
    for index in (0, 1):
        assert click(client, token_of(message), index).status_code == 302
    message.refresh_from_db()
    assert (message.click_count, message.machine_click_count) == (1, 1)
    assert len(events("email.clicked", message)) == 1


def test_clicks_over_the_rate_limit_are_refused(client, settings):
    settings.CLARION_TRACKING_RATE_LIMIT = 2
    message = make_message()
    token = token_of(message)
    assert click(client, token, 0).status_code == 302
    assert click(client, token, 0).status_code == 302
    response = click(client, token, 0)
    assert response.status_code == 429 and response["Retry-After"]


def test_click_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    message = make_message()
    token = token_of(message)
    click(client, token, 0)
    cache.delete(f"tracking:burst:{message.pk}")
    with django_assert_max_num_queries(6):
        assert click(client, token, 0).status_code == 302


def test_sends_without_click_tracking_redirect_without_recording(client):
    send = make_send()
    send.track_clicks = False
    send.save(update_fields=["track_clicks"])
    message = make_message(send)
    assert click(client, token_of(message), 1)["Location"] == LINKS[1]
    message.refresh_from_db()
    assert (message.click_count, message.machine_click_count) == (0, 0)
