"""The small rich-text dialect of notes: paragraphs, bold, italic, lists and links, sanitized
with nh3 against an allow-list on the way in and again when shown."""

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

BLOCK_TAGS = {"p", "br", "ul", "ol", "li"}
INLINE_TAGS = {"strong", "b", "em", "i", "u", "a"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow noreferrer"
HAS_TAG = re.compile(r"<[a-zA-Z/]")


def clean_html(text: str) -> str:
    """Only the allowed tags and attributes survive; scripts, styles and event handlers go
    (with their content for script and style), links get a safe rel."""
    return nh3.clean(text or "", tags=BLOCK_TAGS | INLINE_TAGS, attributes=ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL).strip()


def from_plain_text(text: str) -> str:
    """Plain text (the form without JavaScript, the API) as paragraphs and line breaks."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
                   for part in paragraphs if part)


def note_html(text: str) -> str:
    """The stored form of what a person typed: HTML from the editor, or plain text."""
    text = (text or "").strip()
    return clean_html(text if HAS_TAG.search(text) else from_plain_text(text))


def render(body: str) -> SafeString:
    return mark_safe(clean_html(body))  # noqa: S308  sanitized just now


def inline(body: str, limit: int = 600) -> SafeString:
    """The body for one line of a timeline: blocks become line breaks, inline formatting
    stays, long bodies are cut at `limit` characters of text."""
    text = re.sub(r"</(p|li)>\s*", "<br>", body or "", flags=re.IGNORECASE)
    text = re.sub(r"<li>", "• ", text, flags=re.IGNORECASE)
    flat = nh3.clean(text, tags=INLINE_TAGS | {"br"}, attributes=ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL)
    flat = re.sub(r"(<br>\s*)+$", "", flat.strip())
    if len(plain_text(flat)) > limit:
        flat = html.escape(plain_text(flat)[:limit].rstrip()) + "…"
    return mark_safe(flat)  # noqa: S308  sanitized just now


def plain_text(body: str) -> str:
    return html.unescape(nh3.clean(body or "", tags=set())).strip()


def strip_tags(text: str) -> str:
    """Comments are plain text: any markup someone typed is removed (script content too),
    the rest kept as written."""
    return html.unescape(nh3.clean(text or "", tags=set())).strip()
