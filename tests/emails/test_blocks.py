"""The block document schema: defaults, colours, URLs, alt text, columns, the footer a
marketing send needs, and errors that name the block and field."""

import pytest

from clarion.emails.blocks import (
    BLOCK_TYPES,
    DocumentError,
    block_type_choices,
    missing_footer,
    new_block,
    validate_document,
    validate_for_sending,
)


def problems_of(data) -> list[dict]:
    with pytest.raises(DocumentError) as raised:
        validate_document(data)
    return raised.value.problems


def test_every_block_type_has_a_label_and_valid_defaults():
    assert set(BLOCK_TYPES) == {"text", "image", "button", "columns", "divider", "spacer",
                                "social", "header", "footer"}
    document = validate_document({"blocks": [new_block(kind) for kind in BLOCK_TYPES]})
    assert [block.type for block in document.blocks] == list(BLOCK_TYPES)
    assert dict(block_type_choices())["social"] == "Social links"


def test_new_block_of_an_unknown_type_is_refused():
    with pytest.raises(ValueError):
        new_block("carousel")


def test_an_empty_document_gets_the_default_settings():
    document = validate_document({})
    assert document.settings.width == 600 and document.blocks == []


@pytest.mark.parametrize("colour", ["red", "#12", "#1234567", "#ggg", "rgb(0,0,0)"])
def test_colours_must_be_hex(colour):
    problems = problems_of({"blocks": [{"type": "button", "label": "Go",
                                        "url": "https://example.com",
                                        "button_color": colour}]})
    assert problems[0]["path"] == "blocks[0].button_color"
    assert "#1f2933" in problems[0]["message"]


def test_short_and_uppercase_colours_are_accepted_and_normalized():
    document = validate_document({"settings": {"text_color": "#ABC"},
                                  "blocks": [{"type": "divider", "color": "#A1B2C3"}]})
    assert document.settings.text_color == "#abc"
    assert document.blocks[0].color == "#a1b2c3"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.org/",
                                 "//evil.example.com/", "vbscript:x", "/relative"])
def test_button_urls_must_be_http_mailto_or_a_token(url):
    problems = problems_of({"blocks": [{"type": "button", "label": "Go", "url": url}]})
    assert problems[0]["path"] == "blocks[0].url"
    assert problems[0]["message"].startswith("Block 1 (Button) › link:")


@pytest.mark.parametrize("url", ["https://example.com/a?b=1", "http://example.com",
                                 "mailto:hello@example.com", "{{ unsubscribe_url }}",
                                 "https://example.com/?e={{ contact.email }}"])
def test_accepted_urls(url):
    document = validate_document({"blocks": [{"type": "button", "label": "Go", "url": url}]})
    assert document.blocks[0].url == url


def test_an_image_needs_alt_text_and_the_error_names_the_block():
    problems = problems_of({"blocks": [new_block("text"),
                                       {"type": "image", "src": "https://example.com/a.png"}]})
    assert len(problems) == 1
    assert problems[0]["path"] == "blocks[1].alt" and problems[0]["block"] == 1
    assert problems[0]["field"] == "alt"
    assert problems[0]["message"].startswith("Block 2 (Image) › alt text:")


def test_an_image_not_yet_chosen_is_valid_without_alt_text():
    assert validate_document({"blocks": [{"type": "image"}]}).blocks[0].src == ""


def test_image_sources_come_from_the_web_or_the_file_library_not_tokens():
    validate_document({"blocks": [{"type": "image", "src": "/media/email-assets/a.png",
                                   "alt": "A"}]})
    problems = problems_of({"blocks": [{"type": "image", "src": "{{ contact.photo }}",
                                        "alt": "A"}]})
    assert problems[0]["path"] == "blocks[0].src"


def test_a_header_logo_needs_alt_text():
    problems = problems_of({"blocks": [{"type": "header",
                                        "logo_src": "https://example.com/logo.png"}]})
    assert problems[0]["path"] == "blocks[0].logo_alt"


@pytest.mark.parametrize("count", [0, 4])
def test_columns_hold_one_to_three_columns(count):
    problems = problems_of({"blocks": [{"type": "columns",
                                        "columns": [{"blocks": []}] * count}]})
    assert problems[0]["path"] == "blocks[0].columns"


def test_columns_cannot_hold_columns_and_the_error_says_where():
    inner = {"type": "columns", "columns": [{"blocks": []}]}
    problems = problems_of({"blocks": [{"type": "columns", "columns": [
        {"blocks": [new_block("text")]}, {"blocks": [new_block("text"), inner]}]}]})
    assert problems[0]["path"] == "blocks[0].columns[1].blocks[1]"
    assert "column 2, block 2" in problems[0]["message"]
    assert "no columns inside columns" in problems[0]["message"]


def test_a_footer_cannot_hide_inside_a_column():
    problems = problems_of({"blocks": [{"type": "columns", "columns": [
        {"blocks": [{"type": "footer"}]}]}]})
    assert problems[0]["code"] == "union_tag_invalid"


def test_errors_inside_a_column_name_the_inner_block_and_field():
    problems = problems_of({"blocks": [{"type": "columns", "columns": [
        {"blocks": [{"type": "button", "label": "Go", "url": "javascript:x"}]}]}]})
    assert problems[0]["path"] == "blocks[0].columns[0].blocks[0].url"
    assert "Block 1 (Columns) › column 1, block 1 (Button) › link" in problems[0]["message"]


def test_every_problem_is_reported_at_once():
    problems = problems_of({"settings": {"width": 100}, "blocks": [
        {"type": "spacer", "height": 1000}, {"type": "button", "label": "", "url": "x"},
        {"type": "marquee"}]})
    assert [problem["path"] for problem in problems] == [
        "settings.width", "blocks[0].height", "blocks[1].label", "blocks[1].url", "blocks[2]"]
    assert problems[0]["message"].startswith("Email settings › width:")


def test_unknown_settings_are_refused():
    problems = problems_of({"blocks": [{"type": "text", "html": "", "onclick": "x"}]})
    assert problems[0]["path"] == "blocks[0].onclick"


def test_social_links_name_a_known_network():
    problems = problems_of({"blocks": [{"type": "social", "links": [
        {"network": "myspace", "url": "https://myspace.com/a"}]}]})
    assert problems[0]["path"] == "blocks[0].links[0].network"


def test_a_document_without_a_footer_cannot_be_sent():
    document = {"blocks": [new_block("text")]}
    assert missing_footer(document)
    with pytest.raises(DocumentError) as raised:
        validate_for_sending(document)
    assert raised.value.problems[0]["code"] == "missing_footer"
    assert "unsubscribe" in str(raised.value)


def test_a_document_with_a_footer_can_be_sent():
    document = validate_for_sending({"blocks": [new_block("text"), new_block("footer")]})
    footer = document.footer()
    assert footer is not None and footer.postal_address == "{{ sender.postal_address }}"
    assert not missing_footer(document)


def test_the_footer_needs_a_postal_address():
    problems = problems_of({"blocks": [{"type": "footer", "postal_address": " "}]})
    assert problems[0]["path"] == "blocks[0].postal_address"


def test_document_error_is_a_django_validation_error_for_forms():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        validate_document({"blocks": [{"type": "spacer", "height": 1}]})
    assert raised.value.messages == ["Block 1 (Spacer) › height: must be at least 4."]


def test_a_validated_document_round_trips_through_json():
    document = validate_document({"blocks": [new_block(kind) for kind in BLOCK_TYPES]})
    again = validate_document(document.model_dump(mode="json"))
    assert again == document
