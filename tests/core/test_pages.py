"""The app shell's pages: home, the section pages, the design page and the error pages."""

from html.parser import HTMLParser

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import get_template, render_to_string
from django.test import Client, RequestFactory
from django.urls import include, path, reverse

from clarion.core.sections import SECTIONS

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("boom")


# Used by the 500 test through @pytest.mark.urls.
urlpatterns = [
    path("broken/", broken_view),
    path("", include("clarion.core.urls")),
]


class MainNavigationLinks(HTMLParser):
    """Collects the href of every link inside <nav aria-label="Main">."""

    def __init__(self):
        super().__init__()
        self.inside_nav = False
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == "Main":
            self.inside_nav = True
        elif tag == "a" and self.inside_nav:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self.inside_nav = False


@pytest.fixture
def signed_in(client, sales_user):
    client.force_login(sales_user)
    return client


def test_home_lists_every_section_with_its_summary(signed_in):
    response = signed_in.get(reverse("core:home"))

    assert response.status_code == 200
    for section in SECTIONS:
        assert str(section.summary) in response.text


def test_home_suggests_two_factor_until_it_is_on(signed_in, sales_user):
    assert "Set up two-factor authentication" in signed_in.get(reverse("core:home")).text

    sales_user.totp_enabled = True
    sales_user.save()

    assert "Set up two-factor authentication" not in signed_in.get(reverse("core:home")).text


def test_home_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("core:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("slug", [section.slug for section in SECTIONS])
def test_each_section_page_is_an_empty_state_linking_home(signed_in, slug):
    response = signed_in.get(reverse("core:section", args=[slug]))

    assert response.status_code == 200
    assert 'class="empty-state"' in response.text
    assert f'href="{reverse("core:home")}"' in response.text


def test_unknown_section_is_not_found(signed_in):
    response = signed_in.get(reverse("core:section", args=["no-such-section"]))

    assert response.status_code == 404


def test_every_navigation_link_resolves(signed_in):
    response = signed_in.get(reverse("core:home"))
    parser = MainNavigationLinks()
    parser.feed(response.text)

    assert len(parser.links) == len(SECTIONS) + 1
    for link in parser.links:
        assert signed_in.get(link).status_code == 200, link


def test_current_section_is_marked_in_the_navigation(signed_in):
    from clarion.core.sections import SECTIONS

    # A section whose page is still the "on its way" one.
    slug = next(section.slug for section in SECTIONS if not section.url_name)
    url = reverse("core:section", args=[slug])

    response = signed_in.get(url)

    assert f'<a href="{url}" aria-current="page">' in response.text


def test_user_menu_links_resolve_and_sign_out_is_a_post_form(signed_in):
    response = signed_in.get(reverse("core:home"))

    for name in ("settings:security", "settings:index"):
        assert f'href="{reverse(name)}"' in response.text
    assert f'<form method="post" action="{reverse("accounts:logout")}">' in response.text


def test_api_keys_link_is_shown_only_to_users_who_may_create_keys(client, signed_in,
                                                                    admin_user):
    assert reverse("api_keys:list") not in signed_in.get(reverse("core:home")).text

    client.force_login(admin_user)
    assert f'href="{reverse("api_keys:list")}"' in client.get(reverse("core:home")).text


def test_settings_navigation_shows_people_pages_only_to_user_managers(client, signed_in,
                                                                       admin_user):
    people_pages = [reverse(name) for name in ("settings:users", "settings:teams",
                                               "settings:roles", "settings:sign_in_log")]
    own_page = signed_in.get(reverse("settings:security")).text
    assert not any(f'href="{url}"' in own_page for url in people_pages)

    client.force_login(admin_user)
    admin_page = client.get(reverse("settings:security")).text
    assert all(f'href="{url}"' in admin_page for url in people_pages)


def test_design_page_link_is_shown_to_staff_only(client, signed_in, admin_user):
    assert reverse("core:design") not in signed_in.get(reverse("core:home")).text

    client.force_login(admin_user)
    assert reverse("core:design") in client.get(reverse("core:home")).text


def test_design_page_requires_sign_in(client):
    response = client.get(reverse("core:design"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_design_page_is_forbidden_to_non_staff(signed_in):
    response = signed_in.get(reverse("core:design"))

    assert response.status_code == 403


def test_design_page_shows_staff_the_components(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("core:design"))

    assert response.status_code == 200
    for marker in ('class="field-error"', 'class="table"', 'dialog class="modal"',
                   "data-toast=", 'class="empty-state"', "data-contrast-fg="):
        assert marker in response.text


def test_language_switch_posts_to_set_language_and_returns_here(signed_in):
    url = reverse("core:section", args=["email"])

    response = signed_in.get(url)

    assert f'action="{reverse("set_language")}"' in response.text
    assert f'name="next" value="{url}"' in response.text


def test_switching_language_renders_the_page_in_chinese(signed_in):
    signed_in.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = signed_in.get(reverse("core:home"))

    assert '<html lang="zh-hans">' in response.text


@pytest.mark.parametrize("name", ["403.html", "404.html", "500.html"])
def test_error_pages_render_without_any_context(name):
    html = get_template(name).render({})

    assert "Clarion" in html
    assert 'href="/"' in html


def test_messages_render_as_toasts_in_the_live_region(sales_user):
    request = RequestFactory().get("/")
    request.user = sales_user
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Contact saved.")

    html = render_to_string("core/home.html", {"sections": []}, request=request)

    region = html.split('id="toasts"', 1)[1].split("</div>\n  <template", 1)[0]
    assert 'aria-live="polite"' in region
    assert '<div class="toast toast-success">' in region
    assert "Contact saved." in region


def test_expired_form_gets_the_friendly_csrf_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("set_language"), {"language": "en"})

    assert response.status_code == 403
    assert "This form has expired" in response.text


@pytest.mark.urls("tests.core.test_pages")
def test_server_error_renders_the_plain_500_page():
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
