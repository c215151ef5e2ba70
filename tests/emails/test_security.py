"""Security properties of email content: rich text is sanitized, no value can open a tag or
an attribute in the rendered email, and personalization tokens cannot leave the sandbox."""

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clarion.emails.blocks import DocumentError, sanitize_html, validate_document
from clarion.emails.personalize import PersonalizationError, TokenSyntaxError, prepare
from clarion.emails.rendering import compile_document


def render_html(source: str, context: dict | None = None) -> str:
    return prepare({"subject": "", "html": source, "text": ""}).render(
        context if context is not None else {"contact": {"first_name": "Ada"}})[1]


@pytest.mark.parametrize("dirty, forbidden", [
    ("<p>Hi<script>alert(1)</script></p>", "alert"),
    ("<style>p { background: url(https://evil.example.com/x) }</style><p>Hi</p>", "evil"),
    ('<p onclick="alert(1)">Hi</p>', "onclick"),
    ('<p><a href="javascript:alert(1)">Hi</a></p>', "javascript"),
    ('<p><a href="JaVaScRiPt:alert(1)">Hi</a></p>', "alert"),
    ('<p><a href=" javascript:alert(1)">Hi</a></p>', "alert"),
    ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">Hi</a></p>', "data:"),
    ('<p><img src="x" onerror="alert(1)">Hi</p>', "onerror"),
    ('<iframe src="https://evil.example.com"></iframe><p>Hi</p>', "iframe"),
    ('<p style="background:url(javascript:alert(1))">Hi</p>', "style"),
    ('<svg><g onload="alert(1)"></g></svg><p>Hi</p>', "onload"),
    ('<form action="https://evil.example.com"><input></form><p>Hi</p>', "form"),
    ('<p><a href="https://example.com" onmouseover="alert(1)">Hi</a></p>', "onmouseover"),
])
def test_text_block_html_is_sanitized(dirty, forbidden):
    document = validate_document({"blocks": [{"type": "text", "html": dirty}]})
    cleaned = document.blocks[0].html
    assert forbidden not in cleaned.lower()
    assert "Hi" in cleaned


def test_a_link_cannot_be_made_of_contact_data_alone():
    """A contact's website from a web form could be "javascript:…": only the consent links
    may be a whole link; other tokens come after a scheme."""
    cleaned = sanitize_html('<p><a href="{{ contact.website }}">site</a> '
                            '<a href="{{ \'\' }}javascript:alert(1)">x</a> '
                            '<a href="https://example.com/{{ contact.slug }}">ok</a></p>')
    assert cleaned == ('<p><a rel="noopener">site</a> <a rel="noopener">x</a> '
                       '<a href="https://example.com/{{ contact.slug }}" rel="noopener">ok</a>'
                       "</p>")
    for url in ("{{ contact.website }}", "{{ '' }}javascript:alert(1)"):
        with pytest.raises(DocumentError):
            validate_document({"blocks": [{"type": "button", "label": "Go", "url": url}]})


def test_formatting_and_safe_links_survive_sanitizing():
    html = ('<h2>Title</h2><p><strong>b</strong> <em>i</em> <u>u</u></p><ul><li>x</li></ul>'
            '<p><a href="https://example.com/a?b=1&amp;c=2">web</a> '
            '<a href="mailto:hi@example.com">mail</a> '
            '<a href="{{ unsubscribe_url }}">leave</a></p>')
    cleaned = sanitize_html(html)
    for kept in ("<h2>", "<strong>", "<em>", "<u>", "<li>", 'href="https://example.com/a?b=1',
                 'href="mailto:hi@example.com"', 'href="{{ unsubscribe_url }}"'):
        assert kept in cleaned


def test_tokens_in_text_are_not_mangled_by_sanitizing():
    html = '<p>Hi {{ contact.first_name|default("there") }}, {{ 2 > 1 }}</p>'
    assert sanitize_html(html) == html


def test_tokens_as_a_browser_serializes_them_are_restored_for_jinja():
    html = ('<p>Hi {{&nbsp;contact.first_name|default(&quot;there&quot;) }}</p>'
            '<p><a href="https://example.com/?n={{ contact.first_name|default(&quot;x&quot;) }}">'
            "go</a> {{ contact.score &gt; 2 }}</p>")
    assert sanitize_html(html) == (
        '<p>Hi {{ contact.first_name|default("there") }}</p>'
        "<p><a href=\"https://example.com/?n={{ contact.first_name|default('x') }}\" "
        'rel="noopener">go</a> {{ contact.score > 2 }}</p>')


def test_an_unclosed_token_cannot_swallow_markup():
    html = sanitize_html('<p>Hi {{ contact.first_name</p><script>alert(1)</script><p>}}</p>')
    assert "script" not in html and html.startswith("<p>Hi {{ contact.first_name</p>")


def test_values_cannot_open_tags_or_attributes_in_the_rendered_email():
    attack = '"><script>alert(1)</script><img src=x onerror=alert(1) x="'
    document = {"blocks": [
        {"type": "header", "title": attack},
        {"type": "button", "label": attack, "url": "https://example.com/?q=%22"},
        {"type": "image", "src": "https://example.com/a.png", "alt": attack,
         "link": "https://example.com/"},
        {"type": "footer", "note": attack, "postal_address": attack,
         "unsubscribe_label": attack}]}
    html = compile_document(document, subject=attack, preheader=attack)["html"]
    tree = lxml.html.document_fromstring(html)
    assert not tree.xpath("//script")
    assert all(not name.startswith("on") for element in tree.iter()
               if isinstance(element.tag, str) for name in element.attrib)
    assert [image.get("alt") for image in tree.xpath("//img")] == [attack]


def test_a_contact_value_is_escaped_in_html_and_attributes():
    html = render_html('<p>{{ contact.first_name }}</p><a href="{{ contact.site }}">x</a>',
                       {"contact": {"first_name": "<script>x</script>",
                                    "site": '" onclick="alert(1)'}})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'onclick="' not in html and "&#34; onclick=&#34;alert(1)" in html


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ contact.__class__ }}",
    "{{ contact._private }}",
    "{{ contact['__class__'] }}",
    "{{ contact.items.__self__ }}",
    "{{ '{0.__class__}'.format(contact) }}",
    "{{ 'a' * 100000000 }}",
    "{{ [1] * 100000000 }}",
    "{{ 9 ** 99999999 }}",
])
def test_sandbox_escapes_raise_a_personalization_error(source):
    with pytest.raises(PersonalizationError):
        render_html(source, {"contact": {"first_name": "Ada", "_private": "secret"}})


@pytest.mark.parametrize("source", [
    '{{ "<script>alert(1)</script>"|safe }}',
    '{% autoescape false %}{{ "<script>" }}{% endautoescape %}',
    "{{ contact|attr('__class__') }}",
    "{% include 'x.html' %}",
    "{% extends 'base.html' %}",
    "{% import 'macros.html' as m %}",
])
def test_constructs_that_bypass_escaping_or_load_files_are_refused(source):
    with pytest.raises(TokenSyntaxError):
        prepare({"html": source})


def test_a_literal_in_a_token_is_escaped_too():
    assert render_html('{{ "<b>" }}') == "&lt;b&gt;"


def test_a_subject_cannot_inject_headers():
    subject, _html, _text = prepare({"subject": "Hi {{ contact.first_name }}"}).render(
        {"contact": {"first_name": "Ada\r\nBcc: everyone@example.com"}})
    assert "\n" not in subject and "\r" not in subject


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_text_stays_text_in_the_rendered_email(value):
    value = value.strip() or "x"
    document = {"blocks": [{"type": "header", "title": value},
                           {"type": "button", "label": value, "url": "https://example.com/"},
                           {"type": "image", "src": "https://example.com/a.png", "alt": value}]}
    html = compile_document(document, subject="s")["html"]
    tree = lxml.html.document_fromstring(html)
    assert not tree.xpath("//script | //iframe | //object")
    assert all(not name.startswith("on") for element in tree.iter()
               if isinstance(element.tag, str) for name in element.attrib)
    assert [image.get("alt") for image in tree.xpath("//img")] == [value]
