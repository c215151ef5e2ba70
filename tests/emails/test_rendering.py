"""Rendering a block document: MJML, responsive HTML through mrml with the tokens intact, the
plain-text part, the preheader, the links of the email, and the builder's preview."""

import re

import lxml.html
import mrml
import pytest

from clarion.crm.models import Company, Contact
from clarion.emails.blocks import DocumentError, new_block
from clarion.emails.models import Email
from clarion.emails.personalize import prepare
from clarion.emails.rendering import (
    RENDER_OPTIONS,
    compile_email,
    extract_links,
    html_to_text,
    protect_tokens,
    render_preview,
    to_mjml,
)
from clarion.sending.models import SenderIdentity

GREETING = '{{ contact.first_name|default("there") }}'

DOCUMENT = {"blocks": [
    {"type": "header", "title": "Spring news"},
    {"type": "text", "html": f"<h2>Hello {GREETING}</h2><p>Read <a href=\"https://example.com"
                             "/post?a=1&amp;b=2\">our post</a> today.</p>"
                             "<ul><li>one</li><li>two</li></ul>"},
    {"type": "button", "label": "Book a demo", "url": "https://example.com/demo"},
    {"type": "columns", "columns": [
        {"blocks": [{"type": "text", "html": "<p>Left</p>"}]},
        {"blocks": [{"type": "button", "label": "Right", "url": "https://example.com/demo"},
                    {"type": "image", "src": "/media/email-assets/pic.png", "alt": "A pic",
                     "link": "https://example.com/pic"}]}]},
    {"type": "divider"}, {"type": "spacer", "height": 30},
    {"type": "social", "links": [{"network": "mastodon", "url": "https://mastodon.social/@a"}]},
    {"type": "text", "html": '<p><a href="mailto:hi@example.com">Write to us</a> or '
                             '<a href="https://example.com/p?e={{ contact.email }}">see yours</a>'
                             "</p>"},
    {"type": "footer", "note": "You signed up on our website."}]}


def make_email(**fields) -> Email:
    fields = {"name": "Spring", "subject": f"Hi {GREETING}", "preheader": "What is new",
              "document": DOCUMENT} | fields
    return Email(**fields)


def test_to_mjml_is_valid_mjml_that_mrml_renders_without_warnings():
    mjml = to_mjml(DOCUMENT, preheader="Soon", title="Subject")
    protected, _restore = protect_tokens(mjml)
    output = mrml.to_html(protected, render_options=RENDER_OPTIONS)
    assert output.warnings == []
    assert mjml.startswith('<mjml lang="en">') and "<mj-preview>Soon&#847;" in mjml


def test_compile_email_returns_the_parts_of_a_variant():
    compiled = compile_email(make_email())
    assert set(compiled) == {"subject", "preheader", "html", "text", "links"}
    assert compiled["subject"] == f"Hi {GREETING}"
    assert compiled["html"].startswith("<!doctype html>")


def test_a_subject_override_replaces_the_emails_own():
    assert compile_email(make_email(), subject="Variant B")["subject"] == "Variant B"


def test_tokens_survive_mjml_and_mrml_in_text_and_attributes():
    html = compile_email(make_email())["html"]
    assert f"Hello {GREETING}" in html
    assert 'href="{{ unsubscribe_url }}"' in html and 'href="{{ preferences_url }}"' in html
    assert 'href="https://example.com/p?e={{ contact.email }}"' in html
    assert "{{ sender.postal_address }}" in html


def test_a_token_with_quotes_inside_an_attribute_stays_well_formed():
    document = {"blocks": [{"type": "button", "label": "Go",
                            "url": 'https://example.com/?n={{ contact.first_name|default("x") }}'}]}
    html = compile_email(make_email(document=document))["html"]
    assert "href=\"https://example.com/?n={{ contact.first_name|default('x') }}\"" in html
    rendered = prepare({"html": html}).render({"contact": {"first_name": ""}})[1]
    assert 'href="https://example.com/?n=x"' in rendered


def test_the_compiled_email_personalizes():
    compiled = compile_email(make_email())
    context = {"contact": {"first_name": "Ada", "email": "ada@example.com"},
               "sender": {"postal_address": "1 Main Street"},
               "unsubscribe_url": "https://example.com/email/u/tok/",
               "preferences_url": "https://example.com/email/preferences/tok/"}
    subject, html, text = prepare(compiled).render(context)
    assert subject == "Hi Ada" and "Hello Ada" in html and "1 Main Street" in html
    assert 'href="https://example.com/email/u/tok/"' in html
    assert "Unsubscribe: https://example.com/email/u/tok/" in text
    assert "{{" not in html and "{{" not in text


def test_the_preheader_is_hidden_text_at_the_top():
    html = compile_email(make_email(preheader="Fresh ideas inside"))["html"]
    body = html[html.index("<body"):]
    hidden = re.search(r'<div style="display:none;[^"]*">([^<]*)</div>', body)
    assert hidden and hidden.group(1).startswith("Fresh ideas inside&#847;&zwnj;&nbsp;")
    visible = lxml.html.document_fromstring(html).xpath("//div[@role='article']")[0]
    assert "Fresh ideas inside" not in visible.text_content()


def test_the_plain_text_part_follows_the_blocks():
    text = compile_email(make_email())["text"]
    assert text.startswith("Spring news\n\nHello " + GREETING + "\n\n")
    assert "Read our post (https://example.com/post?a=1&b=2) today." in text
    assert "- one\n- two" in text
    assert "Book a demo: https://example.com/demo" in text
    assert "Left" in text and "Right: https://example.com/demo" in text
    assert "A pic (https://example.com/pic)" in text
    assert "Mastodon: https://mastodon.social/@a" in text
    assert "Write to us (mailto:hi@example.com)" in text
    assert text.rstrip().endswith("Unsubscribe: {{ unsubscribe_url }}\n"
                                  "Manage email preferences: {{ preferences_url }}")
    assert "<" not in text.replace("<3", "")


def test_html_to_text_puts_a_links_url_after_its_text_once():
    assert html_to_text('<p><a href="https://example.com">https://example.com</a></p>') == \
        "https://example.com"
    assert html_to_text("<p>a<br>b</p><p>c</p>") == "a\nb\n\nc"
    assert html_to_text("<p>Tom &amp; Jerry</p>") == "Tom & Jerry"


def test_links_are_the_distinct_http_urls_in_order_without_tokens_or_mailto():
    links = compile_email(make_email())["links"]
    assert links == ["https://example.com/post?a=1&b=2", "https://example.com/demo",
                     "https://example.com/pic", "https://mastodon.social/@a"]


def test_extract_links_reads_hrefs_only():
    assert extract_links('<a href="https://a.example.com">x</a><img src="https://b.example.com">'
                         '<a href="https://a.example.com">y</a>') == ["https://a.example.com"]


def test_images_come_from_the_file_library_as_absolute_urls(settings):
    settings.SITE_URL = "https://crm.example.com"
    html = compile_email(make_email())["html"]
    images = lxml.html.document_fromstring(html).xpath("//img")
    assert [image.get("src") for image in images] == [
        "https://crm.example.com/media/email-assets/pic.png"]


def test_text_in_any_script_survives_attributes_and_content():
    words = "नमस्ते ภาษาไทย Zoë\u00ad 中文"
    document = {"blocks": [{"type": "image", "src": "https://example.com/a.png", "alt": words},
                           {"type": "button", "label": words,
                            "url": "https://example.com/" + words.replace(" ", "-")}]}
    html = compile_email(make_email(document=document))["html"]
    tree = lxml.html.document_fromstring(html)
    assert tree.xpath("//img")[0].get("alt") == words
    assert tree.xpath("//a")[0].text_content() == words
    assert tree.xpath("//a")[0].get("href") == "https://example.com/" + words.replace(" ", "-")


def test_an_image_without_a_source_renders_nothing():
    document = {"blocks": [{"type": "image", "alt": "Later"}, new_block("text")]}
    html = compile_email(make_email(document=document))["html"]
    assert "<img" not in html and "Later" not in html


def test_nothing_is_loaded_from_another_server():
    html = compile_email(make_email())["html"]
    assert "mailjet" not in html and "fonts.googleapis" not in html
    assert not re.search(r'<link[^>]+href="https?://', html)


def test_document_settings_reach_the_html():
    document = {"settings": {"background_color": "#123456", "width": 640, "font": "serif",
                             "language": "fr"}, "blocks": [new_block("text")]}
    html = compile_email(make_email(document=document))["html"]
    assert "#123456" in html and "640px" in html and "Georgia" in html
    assert '<html lang="fr"' in html


def test_an_invalid_document_cannot_be_compiled():
    with pytest.raises(DocumentError):
        compile_email(make_email(document={"blocks": [{"type": "spacer", "height": 0}]}))


@pytest.mark.django_db
def test_preview_with_the_sample_recipient():
    preview = render_preview(DOCUMENT, subject=f"Hi {GREETING}", preheader="p")
    assert preview["subject"] == "Hi Alex" and "Hello Alex" in preview["html"]
    assert preview["unknown_tokens"] == [] and preview["errors"] == []
    assert "/email/u/" in preview["html"]


@pytest.mark.django_db
def test_preview_as_a_real_contact_with_the_default_sender():
    company = Company.objects.create(name="Northwind")
    contact = Contact.objects.create(email="ada@example.com", first_name="Ada", company=company)
    SenderIdentity.objects.create(name="Main", from_name="Clarion", from_email="hi@example.com",
                                  postal_address="5 Harbour Road, Leith", is_default=True)
    document = {"blocks": [{"type": "text", "html": "<p>{{ company.name }}</p>"},
                           new_block("footer")]}
    preview = render_preview(document, subject="Hi {{ contact.first_name }}", contact=contact)
    assert preview["subject"] == "Hi Ada"
    assert "Northwind" in preview["html"] and "5 Harbour Road, Leith" in preview["html"]


@pytest.mark.django_db
def test_preview_reports_unknown_tokens_and_errors_without_raising():
    document = {"blocks": [{"type": "text", "html": "<p>{{ contact.fist_name }}</p>"}]}
    preview = render_preview(document, subject="Hi")
    assert preview["unknown_tokens"] == ["contact.fist_name"]
    broken = render_preview({"blocks": [new_block("text"), {"type": "columns", "columns": [
        {"blocks": [{"type": "text", "html": "<p>{{ contact. }}</p>"}]}]}]},
                            subject="Hi {{ contact.first_name")
    assert broken["errors"] == [
        "Subject: Line 1: unexpected end of template, expected 'end of print statement'.",
        "Block 2 (Columns) › column 1, block 1 › text: Line 1: expected name or number"]
    assert broken["html"].startswith("<!doctype html>")
