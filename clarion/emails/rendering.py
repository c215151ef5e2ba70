"""From a block document to a sendable email: MJML, then responsive HTML through mrml, and a
plain-text part written from the same blocks.

Every value is escaped as it goes into MJML, so no text can open a tag or leave an attribute.
Personalization tokens stay in place, untouched by escaping and by mrml, for
clarion.emails.personalize to fill in per recipient.
"""

import html as html_module
import logging
import re
from collections.abc import Callable
from typing import Any

import lxml.html
import mrml
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from clarion.emails import personalize
from clarion.emails.blocks import (
    BLOCK_TYPES,
    FIELD_LABELS,
    FONT_STACKS,
    SOCIAL_NETWORKS,
    TOKEN_PATTERN,
    ButtonBlock,
    ColumnsBlock,
    DividerBlock,
    Document,
    FooterBlock,
    HeaderBlock,
    ImageBlock,
    SocialBlock,
    SpacerBlock,
    TextBlock,
    validate_document,
)

logger = logging.getLogger(__name__)

RENDER_OPTIONS = mrml.RenderOptions(disable_comments=False, fonts={})
_HREF = re.compile(r'href="([^"]*)"')
# Characters mrml mangles inside attribute values: all but ASCII, and the backslash.
_MRML_UNSAFE = re.compile(r"[^\x00-\x5b\x5d-\x7f]")


# Invisible filler after the preview text, so inboxes that show a line of preview do not
# continue it with the first words of the body.
PREVIEW_PADDING = "&#847;&zwnj;&nbsp;" * 40


class RenderError(Exception):
    """mrml could not turn the MJML into HTML."""


# --- Escaping with tokens kept ------------------------------------------------------------

def escape(value: str, *, attribute: bool = False) -> str:
    """HTML-escape `value` except its tokens. In an attribute a token's double quotes become
    single ones ({{ x|default("a") }} → {{ x|default('a') }}, the same to Jinja), so HTML
    parsers reading the unrendered email see a well-formed attribute."""
    plain = _escape_attribute if attribute else _escape_text
    parts, position = [], 0
    for match in TOKEN_PATTERN.finditer(value):
        parts.append(plain(value[position:match.start()]))
        token = match.group(0)
        if attribute and '"' in token and "'" not in token:
            token = token.replace('"', "'")
        parts.append(token)
        position = match.end()
    parts.append(plain(value[position:]))
    return "".join(parts)


def _escape_text(value: str) -> str:
    return html_module.escape(value, quote=True)


def _escape_attribute(value: str) -> str:
    # mrml rewrites combining marks, format and control characters inside attribute values
    # as Rust escapes (\u{94d}) and doubles backslashes, which would garble a Hindi or Thai
    # alt text: as character references they pass through untouched and every client
    # decodes them.
    escaped = html_module.escape(value, quote=True)
    return _MRML_UNSAFE.sub(lambda match: f"&#x{ord(match.group(0)):x};", escaped)


def _attributes(**values: Any) -> str:
    return "".join(f' {name.replace("_", "-")}="{escape(str(value), attribute=True)}"'
                   for name, value in values.items() if value not in (None, ""))


def protect_tokens(text: str) -> tuple[str, Callable[[str], str]]:
    """Swap each token for an inert marker (for mrml and HTML parsers) and give back the
    function that puts them back."""
    tokens: list[str] = []
    marker = "clariontok"

    def swap(match: re.Match) -> str:
        tokens.append(match.group(0))
        return f"{marker}{len(tokens) - 1}x"

    protected = TOKEN_PATTERN.sub(swap, text)
    pattern = re.compile(rf"{marker}(\d+)x")

    def restore(result: str) -> str:
        return pattern.sub(lambda match: tokens[int(match.group(1))], result)

    return protected, restore


def absolute_url(src: str) -> str:
    """File-library paths ("/media/…") become absolute: an email is read far from the site."""
    return f"{settings.SITE_URL}{src}" if src.startswith("/") else src


# --- MJML ----------------------------------------------------------------------------------

def to_mjml(document: Document | dict, *, preheader: str = "", title: str = "") -> str:
    """The MJML of a document (tokens still in place)."""
    document = validate_document(document)
    options = document.settings
    with translation.override(options.language):
        body = "".join(_section(block, document) for block in document.blocks)
    font = FONT_STACKS[options.font]
    head = (
        f"<mj-head><mj-title>{escape(title)}</mj-title>"
        + (f"<mj-preview>{escape(preheader)}{PREVIEW_PADDING}</mj-preview>"
           if preheader else "")
        + "<mj-attributes>"
        + f"<mj-all{_attributes(font_family=font)} />"
        + f"<mj-text{_attributes(color=options.text_color)} font-size=\"16px\""
        + ' line-height="1.55" />'
        + '<mj-section padding="0px" />'
        + "</mj-attributes>"
        + f"<mj-style>a {{ color: {options.link_color}; }} p {{ margin: 0 0 12px; }} "
        + "h1, h2, h3, h4 { margin: 0 0 12px; line-height: 1.25; } "
        + "ul, ol { margin: 0 0 12px; padding-left: 24px; } "
        + "p:last-child, ul:last-child, ol:last-child { margin-bottom: 0; }</mj-style>"
        + "</mj-head>")
    return (f'<mjml lang="{escape(options.language, attribute=True)}">{head}'
            f"<mj-body{_attributes(background_color=options.background_color)}"
            f' width="{options.width}px"><mj-wrapper padding="24px 0px">{body}</mj-wrapper>'
            "</mj-body></mjml>")


def _section(block: Any, document: Document) -> str:
    background = getattr(block, "background_color", None) or \
        document.settings.content_background_color
    if isinstance(block, ColumnsBlock):
        columns = "".join(
            "<mj-column>" + "".join(_component(inner) for inner in column.blocks)
            + "</mj-column>" for column in block.columns)
        return (f"<mj-section{_attributes(background_color=background, padding=block.padding)}"
                f">{columns}</mj-section>")
    component = _component(block)
    if not component:
        return ""
    return (f"<mj-section{_attributes(background_color=background)}>"
            f'<mj-column padding="0px">{component}</mj-column></mj-section>')


def _component(block: Any) -> str:
    renderers = {TextBlock: _text, ImageBlock: _image, ButtonBlock: _button,
                 DividerBlock: _divider, SpacerBlock: _spacer, SocialBlock: _social,
                 HeaderBlock: _header, FooterBlock: _footer}
    return renderers[type(block)](block)


def _text(block: TextBlock) -> str:
    attributes = _attributes(padding=block.padding, color=block.text_color, align=block.align,
                             font_size=f"{block.font_size}px")
    # Sanitized by the schema (nh3), so it goes in as HTML.
    return f"<mj-text{attributes}>{block.html}</mj-text>"


def _image(block: ImageBlock) -> str:
    if not block.src:
        return ""
    attributes = _attributes(src=absolute_url(block.src), alt=block.alt, href=block.link,
                             width=f"{block.width}px" if block.width else None,
                             align=block.align, padding=block.padding)
    return f"<mj-image{attributes} />"


def _button(block: ButtonBlock) -> str:
    attributes = _attributes(href=block.url, background_color=block.button_color,
                             color=block.label_color, border_radius=f"{block.border_radius}px",
                             align=block.align, padding=block.padding, font_size="16px",
                             font_weight="600", inner_padding="12px 28px")
    return f"<mj-button{attributes}>{escape(block.label)}</mj-button>"


def _divider(block: DividerBlock) -> str:
    attributes = _attributes(border_color=block.color, border_width=f"{block.thickness}px",
                             padding=block.padding)
    return f"<mj-divider{attributes} />"


def _spacer(block: SpacerBlock) -> str:
    return f'<mj-spacer height="{block.height}px" />'


def _social(block: SocialBlock) -> str:
    # Text links rather than mj-social's icons, which mrml loads from a third-party server.
    links = " &nbsp;·&nbsp; ".join(
        f'<a href="{escape(link.url, attribute=True)}" style="font-weight:600;">'
        f"{escape(str(SOCIAL_NETWORKS[link.network]))}</a>" for link in block.links)
    attributes = _attributes(padding=block.padding, align=block.align, color=block.text_color,
                             font_size="14px")
    return f"<mj-text{attributes}>{links}</mj-text>" if links else ""


def _header(block: HeaderBlock) -> str:
    parts = []
    if block.logo_src:
        parts.append("<mj-image" + _attributes(
            src=absolute_url(block.logo_src), alt=block.logo_alt, href=block.link,
            width=f"{block.logo_width}px", align=block.align, padding=block.padding) + " />")
    if block.title:
        parts.append("<mj-text" + _attributes(padding=block.padding, align=block.align,
                                              color=block.text_color, font_size="26px",
                                              font_weight="700", line_height="1.25")
                     + f">{escape(block.title)}</mj-text>")
    return "".join(parts)


def footer_labels(block: FooterBlock) -> tuple[str, str]:
    return (block.unsubscribe_label or _("Unsubscribe"),
            block.preferences_label or _("Manage email preferences"))


def _footer(block: FooterBlock) -> str:
    unsubscribe, preferences = footer_labels(block)
    lines = []
    if block.note:
        lines.append(escape(block.note).replace("\n", "<br />"))
    lines.append(escape(block.postal_address).replace("\n", "<br />"))
    links = f'<a href="{{{{ unsubscribe_url }}}}">{escape(unsubscribe)}</a>'
    if block.show_preferences:
        links += f' &nbsp;·&nbsp; <a href="{{{{ preferences_url }}}}">{escape(preferences)}</a>'
    lines.append(links)
    attributes = _attributes(padding=block.padding, align=block.align, color=block.text_color,
                             font_size="13px", line_height="1.6")
    return f"<mj-text{attributes}>{'<br /><br />'.join(lines)}</mj-text>"


# --- HTML, text, links ---------------------------------------------------------------------

def mjml_to_html(mjml: str) -> str:
    """mrml's HTML for `mjml`, tokens restored; RenderError when mrml refuses it."""
    protected, restore = protect_tokens(mjml)
    try:
        output = mrml.to_html(protected, render_options=RENDER_OPTIONS)
    except Exception as error:  # mrml raises plain exceptions for malformed input
        raise RenderError(str(error)) from error
    for warning in output.warnings:
        logger.warning("mrml: %s at %s-%s", warning.kind, warning.start, warning.end)
    return restore(output.content)


def extract_links(html: str) -> list[str]:
    """The distinct http(s) URLs of the links in `html`, in order. A link holding a token
    is personal to each recipient and is not tracked, so it is left out."""
    links: list[str] = []
    for match in _HREF.finditer(html):
        url = html_module.unescape(match.group(1))
        if TOKEN_PATTERN.search(url) or not url.lower().startswith(("http://", "https://")):
            continue
        if url not in links:
            links.append(url)
    return links


def to_text(document: Document | dict) -> str:
    """The plain-text part: headings, paragraphs, links as "text (url)", buttons as
    "label: url", the footer's address and unsubscribe link."""
    document = validate_document(document)
    with translation.override(document.settings.language):
        chunks = [chunk for block in document.blocks for chunk in _text_of(block) if chunk]
    return "\n\n".join(chunks).strip() + "\n"


def _text_of(block: Any) -> list[str]:
    if isinstance(block, ColumnsBlock):
        return [chunk for column in block.columns for inner in column.blocks
                for chunk in _text_of(inner)]
    if isinstance(block, TextBlock):
        return [html_to_text(block.html)]
    if isinstance(block, ImageBlock):
        return [f"{block.alt} ({block.link})"] if block.src and block.link else []
    if isinstance(block, ButtonBlock):
        return [f"{block.label}: {block.url}"]
    if isinstance(block, DividerBlock):
        return ["―" * 20]
    if isinstance(block, SocialBlock):
        return ["\n".join(f"{SOCIAL_NETWORKS[link.network]}: {link.url}"
                          for link in block.links)]
    if isinstance(block, HeaderBlock):
        return [block.title] if block.title else []
    if isinstance(block, FooterBlock):
        unsubscribe, preferences = footer_labels(block)
        lines = [block.note, block.postal_address, f"{unsubscribe}: {{{{ unsubscribe_url }}}}"]
        if block.show_preferences:
            lines.append(f"{preferences}: {{{{ preferences_url }}}}")
        return ["\n".join(line for line in lines if line)]
    return []


_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "div"}


def html_to_text(fragment: str) -> str:
    """Readable text of sanitized rich text; tokens kept as written."""
    if not fragment.strip():
        return ""
    protected, restore = protect_tokens(fragment)
    root = lxml.html.fragment_fromstring(protected, create_parent="div")
    out: list[str] = []
    _walk(root, out)
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return restore(text)


def _walk(element: Any, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _BLOCK_TAGS and out and not out[-1].endswith("\n"):
        out.append("\n\n" if tag != "li" else "\n")
    if tag == "li":
        out.append("- ")
    if tag == "br":
        out.append("\n")
    inner: list[str] = []
    if element.text:
        inner.append(re.sub(r"\s+", " ", element.text))
    for child in element:
        _walk(child, inner)
        if child.tail:
            inner.append(re.sub(r"\s+", " ", child.tail))
    content = "".join(inner)
    if tag == "a":
        href = element.get("href", "")
        label = content.strip()
        content = f"{label} ({href})" if href and href != label and label else (href or label)
    out.append(content)
    if tag in _BLOCK_TAGS and tag not in {"li"}:
        out.append("\n\n")
    elif tag == "li":
        out.append("\n")


def compile_document(document: Document | dict, *, subject: str, preheader: str = "") -> dict:
    """{"subject", "preheader", "html", "text", "links"} with tokens still in place."""
    document = validate_document(document)
    html = mjml_to_html(to_mjml(document, preheader=preheader, title=subject))
    return {"subject": subject, "preheader": preheader, "html": html,
            "text": to_text(document), "links": extract_links(html)}


def compile_email(email: Any, *, subject: str | None = None) -> dict:
    """An Email compiled for sending ({"subject", "preheader", "html", "text", "links"}),
    personalization tokens still in place. `subject` replaces the email's own (A/B tests)."""
    return compile_document(email.document, subject=email.subject if subject is None
                            else subject, preheader=email.preheader)


def preview_context(*, contact: Any = None, sender: Any = None) -> dict:
    """The tokens of a preview: a real contact or a sample one, the sender (or the default
    identity) and links that lead to a harmless preview page."""
    context = (personalize.contact_context(contact) if contact is not None
               else personalize.sample_context())
    context["sender"] = personalize.sender_context(sender if sender is not None
                                                   else default_sender())
    context.update(preview_links())
    return context


def preview_links() -> dict:
    try:
        from clarion.subscriptions.links import recipient_links
    except ImportError:
        return {"unsubscribe_url": f"{settings.SITE_URL}/email/u/preview/",
                "preferences_url": f"{settings.SITE_URL}/email/preferences/preview/"}
    return recipient_links("preview")


def default_sender() -> Any:
    from clarion.sending.models import SenderIdentity

    return SenderIdentity.objects.order_by("-is_default", "id").first()


def render_preview(document: Document | dict, *, subject: str, preheader: str = "",
                   contact: Any = None, sender: Any = None) -> dict:
    """The email as a contact (or a sample recipient) would see it:
    {"subject", "html", "text", "unknown_tokens", "errors"}. Token mistakes do not raise:
    they come back in "errors" with the unrendered email, so a live preview keeps working."""
    document = validate_document(document)
    compiled = compile_document(document, subject=subject, preheader=preheader)
    result = {"subject": subject, "html": compiled["html"], "text": compiled["text"],
              "unknown_tokens": [], "errors": token_problems(document, subject=subject,
                                                            preheader=preheader)}
    if result["errors"]:
        return result
    try:
        result["unknown_tokens"] = personalize.unknown_tokens(compiled)
        rendered = personalize.prepare(compiled).render(
            preview_context(contact=contact, sender=sender))
    except personalize.PersonalizationError as error:
        result["errors"].append(str(error))
        return result
    result["subject"], result["html"], result["text"] = rendered
    return result


def token_problems(document: Document | dict, *, subject: str = "",
                   preheader: str = "") -> list[str]:
    """Token syntax mistakes, each naming where it is ("Block 2 (Text) › text: Line 1: …"),
    so an author can find them before a send compiles the whole email."""
    document = validate_document(document)
    problems = []
    sources = [(_("Subject"), subject), (_("Preview text"), preheader)]
    for number, block in enumerate(document.blocks, start=1):
        where = _("Block %(number)s (%(type)s)") % {"number": number,
                                                     "type": BLOCK_TYPES[block.type]}
        inner = [(f"{where} › {_column_block(column, position)}", child)
                 for column, cell in enumerate(getattr(block, "columns", []), start=1)
                 for position, child in enumerate(cell.blocks, start=1)]
        for label, item in [(where, block), *inner]:
            sources += [(f"{label} › {FIELD_LABELS.get(name, name)}", value)
                        for name, value in item if isinstance(value, str) and "{" in value]
    for label, source in sources:
        try:
            personalize.parse(source)
        except personalize.TokenSyntaxError as error:
            problems.append(f"{label}: {error}")
    return problems


def _column_block(column: int, position: int) -> str:
    return _("column %(column)s, block %(number)s") % {"column": column, "number": position}
