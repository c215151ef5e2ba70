import pytest
from django.urls import reverse

from clarion.collab.mentions import mention_token, mentioned_users, render_with_mentions

pytestmark = pytest.mark.django_db


def test_mentioned_users_are_the_active_existing_ones_in_order(sales_user, pat, admin_user):
    admin_user.is_active = False
    admin_user.save()
    text = (f"{mention_token(pat)} and {mention_token(sales_user)} and "
            f"{mention_token(pat)} and {mention_token(admin_user)} and @[Ghost](user:99999)")

    assert mentioned_users(text) == [pat, sales_user]


def test_rendering_escapes_html_and_links_mentions_and_urls(pat):
    text = f'<script>alert(1)</script> hi {mention_token(pat)}\nsee https://example.com/a?b=1&c=2.'

    html = render_with_mentions(text)

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert (f'<a class="mention" href="mailto:pat@example.com" data-user-id="{pat.pk}">'
            "@Pat Lee</a>") in html
    assert '<br>' in html
    assert ('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener nofollow" '
            'target="_blank">https://example.com/a?b=1&amp;c=2</a>.') in html


def test_only_http_urls_become_links():
    html = render_with_mentions('javascript:alert(1) "><img src=x onerror=alert(1)>')

    assert "<a" not in html and "<img" not in html


def test_a_mention_of_a_removed_user_shows_the_name_without_a_link():
    html = render_with_mentions("@[Old Friend](user:424242)")

    assert html == '<span class="mention mention-inactive">@Old Friend</span>'


def test_people_search_finds_active_colleagues_by_name_or_email(client, sales_user, pat):
    client.force_login(sales_user)

    found = client.get(reverse("collab:mention_search"), {"q": "pa"}).json()
    by_email = client.get(reverse("collab:mention_search"), {"q": "sam@"}).json()

    assert found == [{"id": pat.pk, "name": "Pat Lee", "email": "pat@example.com"}]
    assert [person["id"] for person in by_email] == [sales_user.pk]


def test_people_search_returns_at_most_eight_and_needs_sign_in(client, roles, sales_user):
    from clarion.accounts.services import create_user

    for number in range(10):
        create_user(email=f"pam{number}@example.com", password="x" * 12, first_name="Pam")

    anonymous = client.get(reverse("collab:mention_search"), {"q": "pam"})
    client.force_login(sales_user)
    found = client.get(reverse("collab:mention_search"), {"q": "pam"}).json()

    assert anonymous.status_code == 302
    assert len(found) == 8
