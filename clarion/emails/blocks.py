"""The block document an email is made of, validated by pydantic.

`{"settings": {...}, "blocks": [{"type": "text", ...}, ...]}`. Every colour, size and URL is
checked here, and the rich text of text blocks is sanitized with nh3, so rendering can trust a
validated document. Errors name the block (its position and type) and the field.
"""

import re
from typing import Annotated, Any, Literal

import nh3
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic import ValidationError as PydanticValidationError

# Personalization tokens ({{ … }}, {% … %}, {# … #}) pass through validation untouched. A
# token never holds "<", so an unclosed one cannot swallow the markup that follows it.
TOKEN_PATTERN = re.compile(r"\{\{[^<]*?\}\}|\{%[^<]*?%\}|\{#[^<]*?#\}")
COLOUR_PATTERN = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
PADDING_PATTERN = re.compile(r"^\d{1,3}(?:px)?(?: \d{1,3}(?:px)?){0,3}$")
URL_SCHEMES = ("http://", "https://", "mailto:")

Align = Literal["left", "center", "right"]

BLOCK_TYPES: dict[str, Any] = {
    "text": gettext_lazy("Text"),
    "image": gettext_lazy("Image"),
    "button": gettext_lazy("Button"),
    "columns": gettext_lazy("Columns"),
    "divider": gettext_lazy("Divider"),
    "spacer": gettext_lazy("Spacer"),
    "social": gettext_lazy("Social links"),
    "header": gettext_lazy("Header"),
    "footer": gettext_lazy("Footer"),
}
# Blocks a column may hold: no columns inside columns, and one header and footer per email.
COLUMN_BLOCK_TYPES = ("text", "image", "button", "divider", "spacer", "social")

SOCIAL_NETWORKS: dict[str, Any] = {
    "facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn",
    "mastodon": "Mastodon", "x": "X", "youtube": "YouTube", "github": "GitHub",
    "tiktok": "TikTok", "bluesky": "Bluesky", "website": gettext_lazy("Website"),
}

FONT_STACKS = {
    "sans": "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
    "serif": "Georgia, 'Times New Roman', Times, serif",
    "mono": "'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace",
}

TEXT_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "h1", "h2",
             "h3", "h4", "blockquote", "span", "sub", "sup", "code"}


# The tokens that may stand for a whole link: the recipient's own consent links. Any other
# token goes after a scheme ("https://example.com/?e={{ contact.email }}"), so a contact's
# data can never make a link a javascript: one.
LINK_TOKEN_PATTERN = re.compile(r"\{\{\s*(?:unsubscribe_url|preferences_url)\s*\}\}")


def check_url(value: str, *, allow_site_path: bool = False) -> str:
    """An http(s) or mailto URL (tokens allowed after the scheme), or a consent-link token."""
    value = value.strip()
    if not value or LINK_TOKEN_PATTERN.fullmatch(value):
        return value
    if value.lower().startswith(URL_SCHEMES) and not re.search(
            r"[\s<>\"]", TOKEN_PATTERN.sub("", value)):
        return value
    if allow_site_path and value.startswith("/") and not value.startswith("//"):
        return value
    raise ValueError(_("Use a web address starting with https:// or http://, a mailto: "
                       "address, or a token such as {{ unsubscribe_url }}."))


def _check_colour(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not COLOUR_PATTERN.match(value):
        raise ValueError(_("Use a colour such as #1f2933 or #fff."))
    return value.lower()


def _check_image_address(value: str) -> str:
    """A library image's address (a site path or http(s) URL), never personalized."""
    if value and TOKEN_PATTERN.search(value):
        raise ValueError(_("An image address cannot contain tokens."))
    return check_url(value, allow_site_path=True) if value else value


# The checked kinds of field the blocks are made of.
Colour = Annotated[str | None, AfterValidator(_check_colour)]
Link = Annotated[str, Field(max_length=2000), AfterValidator(check_url)]
ImageAddress = Annotated[str, Field(max_length=2000), AfterValidator(_check_image_address)]


def sanitize_html(html: str) -> str:
    """Formatting tags and http(s)/mailto links only; tokens kept as they were written."""
    tokens: list[str] = []

    in_attributes: set[int] = set()

    def protect(match: re.Match) -> str:
        tokens.append(match.group(0))
        return f"clariontoken{len(tokens) - 1}x"

    def keep_attribute(element: str, attribute: str, value: str) -> str | None:
        in_attributes.update(int(number) for number in re.findall(r"clariontoken(\d+)x", value))
        if attribute != "href":
            return value
        original = re.sub(r"clariontoken(\d+)x", lambda match: tokens[int(match.group(1))],
                          value)
        try:
            return value if check_url(original) else None
        except ValueError:
            return None

    protected = TOKEN_PATTERN.sub(protect, html)
    cleaned = nh3.clean(protected, tags=TEXT_TAGS, clean_content_tags={"script", "style"},
                        attributes={"a": {"href", "title"}}, attribute_filter=keep_attribute,
                        url_schemes={"http", "https", "mailto"}, link_rel="noopener",
                        strip_comments=True)
    return re.sub(r"clariontoken(\d+)x", lambda match: _token_source(
        tokens[int(match.group(1))], in_attribute=int(match.group(1)) in in_attributes), cleaned)


_TOKEN_ENTITIES = {"&quot;": '"', "&#34;": '"', "&#39;": "'", "&#x27;": "'", "&amp;": "&",
                   "&gt;": ">", "&nbsp;": " ", "\xa0": " "}


def _token_source(token: str, *, in_attribute: bool) -> str:
    """A token as Jinja needs it, from HTML a browser serialized: the entities a rich-text
    editor writes inside it decoded ("&lt;" stays: a token never holds "<"). In an attribute
    its double quotes become single ones, the same to Jinja, so the href stays well-formed."""
    for entity, character in _TOKEN_ENTITIES.items():
        token = token.replace(entity, character)
    if in_attribute and "'" not in token:
        token = token.replace('"', "'")
    return token


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Styled(Model):
    """What every block can set: space around it, its background, text colour, alignment."""

    padding: str = "12px 24px"
    background_color: Colour = None
    text_color: Colour = None
    align: Align = "left"

    @field_validator("padding")
    @classmethod
    def _padding(cls, value: str) -> str:
        if not PADDING_PATTERN.match(value):
            raise ValueError(_("Use one to four sizes in pixels, such as 12px 24px."))
        return " ".join(part if part.endswith("px") else f"{part}px" for part in value.split())


class TextBlock(Styled):
    type: Literal["text"] = "text"
    html: str = Field(default="", max_length=50_000)
    font_size: int = Field(default=16, ge=10, le=48)

    @field_validator("html")
    @classmethod
    def _sanitize(cls, value: str) -> str:
        return sanitize_html(value)


class ImageBlock(Styled):
    type: Literal["image"] = "image"
    # An image from the file library (`asset_id`) at `src`; empty until one is chosen, and an
    # image without a source renders nothing.
    src: ImageAddress = ""
    asset_id: int | None = None
    alt: str = Field(default="", max_length=300, validate_default=True)
    link: Link = ""
    width: int | None = Field(default=None, ge=20, le=800)
    align: Align = "center"

    @field_validator("alt")
    @classmethod
    def _alt_required(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("src") and not value:
            raise ValueError(_("Describe the image in its alt text, for people who cannot "
                               "see it."))
        return value


class ButtonBlock(Styled):
    type: Literal["button"] = "button"
    label: str = Field(min_length=1, max_length=120)
    url: Annotated[Link, Field(min_length=1)]
    button_color: Colour = "#2563eb"
    label_color: Colour = "#ffffff"
    border_radius: int = Field(default=6, ge=0, le=40)
    align: Align = "center"


class DividerBlock(Styled):
    type: Literal["divider"] = "divider"
    color: Colour = "#e5e7eb"
    thickness: int = Field(default=1, ge=1, le=10)


class SpacerBlock(Model):
    type: Literal["spacer"] = "spacer"
    height: int = Field(default=24, ge=4, le=200)
    background_color: Colour = None


class SocialLink(Model):
    network: Literal[tuple(SOCIAL_NETWORKS)]  # type: ignore[valid-type]
    url: Annotated[Link, Field(min_length=1)]


class SocialBlock(Styled):
    type: Literal["social"] = "social"
    links: list[SocialLink] = Field(default_factory=list, max_length=10)
    align: Align = "center"


class HeaderBlock(Styled):
    type: Literal["header"] = "header"
    logo_src: ImageAddress = ""
    logo_alt: str = Field(default="", max_length=300, validate_default=True)
    logo_width: int = Field(default=140, ge=20, le=600)
    title: str = Field(default="", max_length=200)
    link: Link = ""
    align: Align = "center"

    @field_validator("logo_alt")
    @classmethod
    def _alt_required(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("logo_src") and not value:
            raise ValueError(_("Describe the logo in its alt text, usually your "
                               "organisation's name."))
        return value


class FooterBlock(Styled):
    """The legally required part: who sends (postal address) and how to stop receiving.
    The unsubscribe link is always rendered, from the recipient's own token."""

    type: Literal["footer"] = "footer"
    note: str = Field(default="", max_length=1000)
    postal_address: str = Field(default="{{ sender.postal_address }}", min_length=1,
                                max_length=500)
    unsubscribe_label: str = Field(default="", max_length=80)
    preferences_label: str = Field(default="", max_length=80)
    show_preferences: bool = True
    align: Align = "center"
    text_color: Colour = "#6b7280"


ColumnBlock = Annotated[TextBlock | ImageBlock | ButtonBlock | DividerBlock | SpacerBlock
                        | SocialBlock, Field(discriminator="type")]


class Column(Model):
    blocks: list[ColumnBlock] = Field(default_factory=list, max_length=30)


class ColumnsBlock(Styled):
    type: Literal["columns"] = "columns"
    columns: list[Column] = Field(min_length=1, max_length=3)
    padding: str = "8px 12px"


Block = Annotated[TextBlock | ImageBlock | ButtonBlock | ColumnsBlock | DividerBlock
                  | SpacerBlock | SocialBlock | HeaderBlock | FooterBlock,
                  Field(discriminator="type")]


class DocumentSettings(Model):
    background_color: Colour = "#f3f4f6"
    content_background_color: Colour = "#ffffff"
    text_color: Colour = "#1f2933"
    link_color: Colour = "#2563eb"
    font: Literal["sans", "serif", "mono"] = "sans"
    width: int = Field(default=600, ge=480, le=800)
    language: str = Field(default="en", pattern=r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})?$")


class Document(Model):
    settings: DocumentSettings = Field(default_factory=DocumentSettings)
    blocks: list[Block] = Field(default_factory=list, max_length=200)

    def footer(self) -> FooterBlock | None:
        return next((block for block in self.blocks if isinstance(block, FooterBlock)), None)


class DocumentError(DjangoValidationError):
    """A block document that does not validate. `problems` lists each as
    {"path", "block", "field", "code", "message"}; the messages name the block and field."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__([problem["message"] for problem in problems], code="invalid")

    def __str__(self) -> str:
        return " ".join(problem["message"] for problem in self.problems)


# The contract's name for it.
ValidationError = DocumentError

_document_adapter = TypeAdapter(Document)


def validate_document(data: Any) -> Document:
    """The validated, sanitized document, or DocumentError naming each block and field."""
    if isinstance(data, Document):
        return data
    if not isinstance(data, dict):
        raise DocumentError([_problem((), "invalid", _("The content is not a block document."),
                                      data)])
    try:
        return _document_adapter.validate_python(data)
    except PydanticValidationError as error:
        raise DocumentError([_problem(item["loc"], item["type"], _message(item), data)
                             for item in error.errors()]) from None


def missing_footer(document: Document | dict) -> bool:
    """True when the email has no footer (and so no unsubscribe link): it cannot be sent."""
    document = validate_document(document)
    return document.footer() is None


def validate_for_sending(data: Any) -> Document:
    """validate_document, plus what a marketing send needs: a footer carrying the unsubscribe
    link and the postal address."""
    document = validate_document(data)
    if document.footer() is None:
        raise DocumentError([{
            "path": "blocks", "block": None, "field": "", "code": "missing_footer",
            "message": _("Add a footer block: every marketing email needs the unsubscribe "
                         "link and your postal address.")}])
    return document


def new_block(block_type: str) -> dict:
    """A new block of `block_type` with sensible defaults, as the builder inserts it."""
    defaults: dict[str, dict] = {
        "text": {"type": "text", "html": _paragraph(_("Write something worth reading."))},
        "image": {"type": "image"},
        "button": {"type": "button", "label": _("Learn more"), "url": "https://example.com"},
        "columns": {"type": "columns", "columns": [
            {"blocks": [{"type": "text", "html": _paragraph(_("First column"))}]},
            {"blocks": [{"type": "text", "html": _paragraph(_("Second column"))}]}]},
        "divider": {"type": "divider"},
        "spacer": {"type": "spacer"},
        "social": {"type": "social", "links": [
            {"network": "linkedin", "url": "https://www.linkedin.com/"},
            {"network": "mastodon", "url": "https://mastodon.social/"}]},
        "header": {"type": "header", "title": _("Your organisation")},
        "footer": {"type": "footer"},
    }
    if block_type not in defaults:
        raise ValueError(f"unknown block type {block_type!r}")
    block = _document_adapter.validate_python({"blocks": [defaults[block_type]]}).blocks[0]
    return block.model_dump(mode="json")


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def block_type_choices() -> list[tuple[str, str]]:
    """(type, label in the reader's language) for every block type, in palette order."""
    return [(key, str(label)) for key, label in BLOCK_TYPES.items()]


def _problem(loc: tuple, code: str, message: str, data: Any) -> dict:
    fields = _fields(loc)
    block_index = loc[1] if len(loc) > 1 and loc[0] == "blocks" else None
    names = [key for key in fields if isinstance(key, str)]
    field = names[-1] if names and names[-1] not in ("blocks", "columns") else ""
    if block_index is None:
        where = _("Email settings") if loc and loc[0] == "settings" else _("Email")
    else:
        where = _("Block %(number)s (%(type)s)") % {
            "number": block_index + 1, "type": _type_label(data, ["blocks", block_index])}
        if len(loc) > 6 and loc[2:4] == ("columns", "columns"):
            where += " › " + _("column %(column)s, block %(number)s (%(type)s)") % {
                "column": loc[4] + 1, "number": loc[6] + 1,
                "type": _type_label(data, ["blocks", block_index, "columns", loc[4],
                                           "blocks", loc[6]])}
    label = str(FIELD_LABELS.get(field, field.replace("_", " ")))
    text = f"{where} › {label}: {message}" if field else f"{where}: {message}"
    path = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in fields)
    return {"path": path.lstrip("."), "block": block_index, "field": field, "code": code,
            "message": text}


def _fields(loc: tuple) -> list:
    """pydantic's location without the tags of the block union (the key after a block's
    index names its type, not a field)."""
    kept: list = []
    for position, key in enumerate(loc):
        after_block_index = (position >= 2 and isinstance(loc[position - 1], int)
                             and loc[position - 2] == "blocks")
        if after_block_index and isinstance(key, str) and key in BLOCK_TYPES:
            continue
        kept.append(key)
    return kept


def _type_label(data: Any, path: list) -> str:
    node = data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return str(_("block"))
    block_type = node.get("type") if isinstance(node, dict) else None
    return str(BLOCK_TYPES.get(block_type, _("block")))


FIELD_LABELS: dict[str, Any] = {
    "html": gettext_lazy("text"), "font_size": gettext_lazy("font size"),
    "src": gettext_lazy("image"), "alt": gettext_lazy("alt text"),
    "link": gettext_lazy("link"), "width": gettext_lazy("width"),
    "label": gettext_lazy("label"), "url": gettext_lazy("link"),
    "button_color": gettext_lazy("button colour"), "label_color": gettext_lazy("label colour"),
    "border_radius": gettext_lazy("corner radius"), "color": gettext_lazy("colour"),
    "thickness": gettext_lazy("thickness"), "height": gettext_lazy("height"),
    "links": gettext_lazy("links"), "network": gettext_lazy("network"),
    "logo_src": gettext_lazy("logo"), "logo_alt": gettext_lazy("logo alt text"),
    "logo_width": gettext_lazy("logo width"), "title": gettext_lazy("title"),
    "note": gettext_lazy("note"), "postal_address": gettext_lazy("postal address"),
    "unsubscribe_label": gettext_lazy("unsubscribe link text"),
    "preferences_label": gettext_lazy("preferences link text"),
    "padding": gettext_lazy("padding"), "background_color": gettext_lazy("background colour"),
    "text_color": gettext_lazy("text colour"), "align": gettext_lazy("alignment"),
    "content_background_color": gettext_lazy("content background colour"),
    "link_color": gettext_lazy("link colour"), "font": gettext_lazy("font"),
    "language": gettext_lazy("language"), "type": gettext_lazy("type"),
}

_MESSAGES = {
    "missing": gettext_lazy("is required."),
    "string_too_short": gettext_lazy("cannot be empty."),
    "string_too_long": gettext_lazy("is too long (at most %(max_length)s characters)."),
    "too_long": gettext_lazy("has too many items (at most %(max_length)s)."),
    "too_short": gettext_lazy("needs at least %(min_length)s item(s)."),
    "greater_than_equal": gettext_lazy("must be at least %(ge)s."),
    "less_than_equal": gettext_lazy("must be at most %(le)s."),
    "int_parsing": gettext_lazy("must be a whole number."),
    "int_type": gettext_lazy("must be a whole number."),
    "literal_error": gettext_lazy("is not one of the allowed values."),
    "extra_forbidden": gettext_lazy("is not a known setting."),
    "union_tag_invalid": gettext_lazy("is not a known block type here."),
    "union_tag_not_found": gettext_lazy("the block has no type."),
    "string_type": gettext_lazy("must be text."),
    "string_pattern_mismatch": gettext_lazy("is not in the expected format."),
}


def _message(item: dict) -> str:
    if item["type"] == "value_error":
        return str(item["ctx"]["error"])
    if item["type"] == "union_tag_invalid" and len(item["loc"]) > 3:
        return _("a column holds text, images, buttons, dividers, spacers and social links "
                 "only (no columns inside columns).")
    template = _MESSAGES.get(item["type"])
    if template is None:
        return item["msg"]
    return str(template) % (item.get("ctx") or {})
