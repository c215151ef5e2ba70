"""Tracking written into compiled HTML: which links are wrapped, the pixel, the per-message URLs."""

import re
import time

import mrml
import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SandboxedEnvironment

from clarion.sending.tokens import message_token
from clarion.tracking.instrument import PIXEL, TrackingContext, instrument, is_trackable

MJML = """<mjml><mj-head><mj-preview>Hi</mj-preview></mj-head><mj-body>
<mj-section><mj-column>
  <mj-text><p>Hello {{ contact.first_name|default("there") }},
     read <a href="https://example.com/a?x=1&amp;y=2">the article</a>
     or <a href="mailto:team@example.com">write to us</a>.</p></mj-text>
  <mj-button href="https://example.com/b">Go</mj-button>
  <mj-image src="https://cdn.example.com/i.png" alt="Our product"
            href="https://example.com/a?x=1&amp;y=2"/>
  <mj-text><a href="https://other.example.net/not-listed">not listed</a></mj-text>
  <mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a>
           <a href="{{ preferences_url }}">Preferences</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""

LINKS = ["https://example.com/a?x=1&y=2", "https://example.com/b"]


@pytest.fixture(scope="module")
def compiled_html():
    return mrml.to_html(MJML).content


def render(html, token="abc-def", **context):
    env = SandboxedEnvironment(autoescape=True)
    context.setdefault("unsubscribe_url", "https://crm.example.com/email/u/abc-def/")
    context.setdefault("preferences_url", "https://crm.example.com/email/preferences/abc-def/")
    return env.from_string(html).render(_t=TrackingContext(token), contact={}, **context)


def hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


@override_settings(SITE_URL="https://crm.example.com")
def test_listed_links_go_through_the_click_redirect_by_index(compiled_html):
    html = render(instrument(compiled_html, LINKS, opens=False, clicks=True), token="7-tok")
    found = hrefs(html)
    assert found.count("https://crm.example.com/t/c/7-tok/0/") == 2  # text link and image
    assert found.count("https://crm.example.com/t/c/7-tok/1/") == 1  # the button
    assert "https://example.com/a?x=1&amp;y=2" not in found


@override_settings(SITE_URL="https://crm.example.com")
def test_mailto_unlisted_and_consent_links_stay_as_they_are(compiled_html):
    html = render(instrument(compiled_html, LINKS, opens=True, clicks=True))
    found = hrefs(html)
    assert "mailto:team@example.com" in found
    assert "https://other.example.net/not-listed" in found
    assert "https://crm.example.com/email/u/abc-def/" in found
    assert "https://crm.example.com/email/preferences/abc-def/" in found


def test_consent_and_personalized_urls_are_not_trackable_even_when_listed():
    assert not is_trackable("https://crm.example.com/email/u/abc/")
    assert not is_trackable("https://crm.example.com/email/preferences/abc/")
    assert not is_trackable("{{ unsubscribe_url }}")
    assert not is_trackable("https://example.com/?ref={{ contact.id }}")
    assert not is_trackable("mailto:a@example.com")
    assert not is_trackable("javascript:alert(1)")
    assert is_trackable("https://example.com/page")
    listed = ["https://crm.example.com/email/u/abc/"]
    html = '<a href="https://crm.example.com/email/u/abc/">u</a>'
    assert instrument(html, listed, opens=False, clicks=True) == html


@override_settings(SITE_URL="https://crm.example.com")
def test_pixel_is_one_transparent_image_with_empty_alt_at_the_end_of_the_body(compiled_html):
    html = render(instrument(compiled_html, LINKS, opens=True, clicks=False), token="9-x")
    pixel = '<img src="https://crm.example.com/t/o/9-x.gif" width="1" height="1" alt=""'
    assert html.count(pixel) == 1
    assert html.index(pixel) < html.index("</body>")
    assert html.count("/t/c/") == 0  # clicks off: links untouched


def test_nothing_changes_when_both_are_off(compiled_html):
    assert instrument(compiled_html, LINKS, opens=False, clicks=False) == compiled_html


def test_only_href_values_change_the_rest_is_byte_for_byte_the_same(compiled_html):
    instrumented = instrument(compiled_html, LINKS, opens=True, clicks=True)
    undo = instrumented.replace(PIXEL, "")
    undo = undo.replace("{{ _t.click(0) }}", "https://example.com/a?x=1&amp;y=2")
    undo = undo.replace("{{ _t.click(1) }}", "https://example.com/b")
    assert undo == compiled_html
    assert "<!--[if mso | IE]>" in instrumented


def test_html_without_a_body_gets_the_pixel_appended():
    assert instrument("<p>hi</p>", [], opens=True, clicks=True) == "<p>hi</p>" + PIXEL


def test_single_quoted_and_uppercase_tags_are_rewritten():
    html = "<A class='x' HREF='https://example.com/b'>b</A>"
    assert instrument(html, LINKS, opens=False, clicks=True) == \
        "<A class='x' HREF='{{ _t.click(1) }}'>b</A>"


def test_first_index_wins_for_a_link_listed_twice():
    html = '<a href="https://example.com/b">b</a>'
    out = instrument(html, ["https://example.com/b", "https://example.com/b"], opens=False,
                     clicks=True)
    assert out == '<a href="{{ _t.click(0) }}">b</a>'


@override_settings(SITE_URL="https://crm.example.com/")
def test_tracking_context_urls():
    context = TrackingContext("5-abc")
    assert context.open == "https://crm.example.com/t/o/5-abc.gif"
    assert context.click(3) == "https://crm.example.com/t/c/5-abc/3/"


def test_tracking_context_is_cheap_enough_for_the_send_engine(settings):
    settings.SITE_URL = "https://crm.example.com"
    start = time.perf_counter()
    for pk in range(1, 5001):
        context = TrackingContext(message_token(pk))
        context.open, context.click(0), context.click(1)
    per_second = 5000 / (time.perf_counter() - start)
    assert per_second > 5000  # ten times what a 500 messages/s engine needs


_url = st.builds(lambda host, path: f"https://{host}.example.com/{path}",
                 st.sampled_from(["a", "b", "shop"]),
                 st.text(alphabet="abc/?=&1-_", max_size=12))


@given(links=st.lists(_url, max_size=6), others=st.lists(_url, max_size=4))
@settings(max_examples=150, deadline=None)
def test_every_rewritten_link_leads_back_to_the_same_url(links, others):
    import html as html_lib

    anchors = "".join(f'<a href="{html_lib.escape(url)}">x</a>' for url in links + others)
    source = f"<html><body>{anchors}</body></html>"
    out = render(instrument(source, links, opens=True, clicks=True), token="1-t")
    prefix = TrackingContext("1-t").click(0)[:-2]
    for original, href in zip(links + others, hrefs(out), strict=True):
        href = html_lib.unescape(href)
        if href.startswith(prefix):
            assert links[int(href[len(prefix):].rstrip("/"))] == original
        else:
            assert href == original and original not in links
