"""The built-in template library: at least eight templates, each a valid, sendable document
that renders through mrml without warnings and loads nothing from another server."""

import lxml.html
import mrml
import pytest

from clarion.emails.blocks import validate_for_sending
from clarion.emails.library import TEMPLATES, get_template
from clarion.emails.personalize import prepare, sample_context, sender_context, unknown_tokens
from clarion.emails.rendering import RENDER_OPTIONS, compile_document, protect_tokens, to_mjml

REQUIRED = {"newsletter", "announcement", "event_invite", "welcome", "nurture",
            "re_engagement", "webinar", "plain_letter"}
KNOWN_FIELDS = {"contact": {"first_name", "email"}, "company": {"name"},
                "owner": {"name", "first_name"}, "sender": {"postal_address"}}


def test_the_library_has_the_eight_kinds_of_template():
    assert REQUIRED <= {template.key for template in TEMPLATES}
    assert len({template.key for template in TEMPLATES}) == len(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.key)
def test_each_template_can_be_sent(template):
    document = validate_for_sending(template.document)
    assert document.footer() is not None
    assert str(template.name) and str(template.description) and template.category


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.key)
def test_each_template_renders_through_mrml_without_warnings(template):
    mjml = to_mjml(template.document, preheader=template.preheader, title=template.subject)
    protected, _restore = protect_tokens(mjml)
    output = mrml.to_html(protected, render_options=RENDER_OPTIONS)
    assert [warning.kind for warning in output.warnings] == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.key)
def test_each_template_personalizes_with_known_tokens_only(template):
    compiled = compile_document(template.document, subject=template.subject,
                                preheader=template.preheader)
    assert unknown_tokens(compiled, fields=KNOWN_FIELDS) == []
    context = sample_context() | {"sender": sender_context(None),
                                  "unsubscribe_url": "https://example.com/email/u/t/",
                                  "preferences_url": "https://example.com/email/preferences/t/"}
    subject, html, text = prepare(compiled).render(context)
    assert "{{" not in subject + html + text
    assert "https://example.com/email/u/t/" in html and "https://example.com/email/u/t/" in text


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.key)
def test_templates_load_no_images_from_elsewhere(template):
    html = compile_document(template.document, subject=template.subject)["html"]
    assert lxml.html.document_fromstring(html).xpath("//img") == []
    assert "mailjet" not in html


def test_a_new_document_is_a_copy():
    template = get_template("welcome")
    document = template.new_document()
    document["blocks"].clear()
    assert template.document["blocks"]


def test_an_unknown_template_key_raises():
    with pytest.raises(KeyError):
        get_template("nope")
