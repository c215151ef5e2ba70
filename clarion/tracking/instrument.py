"""Open and click tracking written into a compiled email, once per send variant.

`instrument()` rewrites the HTML that mrml produced (personalization tokens still in place) so
that each tracked link points at `{{ _t.click(i) }}` and a 1×1 pixel `{{ _t.open }}` closes
the body. Per message the engine only renders those two expressions with a `TrackingContext`,
which costs one string format per link: no HTML parsing while sending.

A regular expression over the start tags rather than an HTML parser on purpose: mrml's output
holds Outlook conditional comments and Jinja tokens that a parser would reserialize or
mangle; only the `href` attribute values of `<a>`/`<area>` tags change, byte for byte the rest
stays as it was.
"""

import html as html_lib
import re

from django.conf import settings

# The links a recipient uses to manage their subscription are never wrapped: a click
# redirect in front of them would count a scanner's visit as engagement, and these links
# must keep working even if tracking does not.
_UNTRACKED_TOKENS = re.compile(r"\b(?:unsubscribe_url|preferences_url|confirm_url)\b")
_UNTRACKED_PATHS = re.compile(r"/email/(?:u|preferences|confirm)/")

_LINK_TAG = re.compile(
    r"""<(?:a|area)\b[^>]*?\shref\s*=\s*(?P<quote>["'])(?P<href>.*?)(?P=quote)""",
    re.IGNORECASE | re.DOTALL,
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)

PIXEL = ('<img src="{{ _t.open }}" width="1" height="1" alt="" border="0" '
         'style="display:block;height:1px;width:1px;border:0;margin:0;padding:0;" />')


def is_trackable(url: str) -> bool:
    """Whether a link may go through the click redirect: http(s) only, not personalized
    (the redirect only knows the send's URL, not each recipient's), not a consent link."""
    lowered = url.strip().lower()
    if not lowered.startswith(("http://", "https://")):
        return False
    if "{{" in url or "{%" in url:
        return False
    return not (_UNTRACKED_TOKENS.search(url) or _UNTRACKED_PATHS.search(url))


def instrument(html: str, links: list[str], *, opens: bool, clicks: bool) -> str:
    """The variant's HTML with tracked links and, when `opens`, the open pixel.

    Link i of `links` (the variant's "links", in order) becomes `{{ _t.click(i) }}` wherever
    it appears as an href; hrefs not in `links`, mailto: and consent links stay as they are.
    """
    if clicks and links:
        html = _rewrite_links(html, links)
    if opens:
        html = _append_pixel(html)
    return html


def _rewrite_links(html: str, links: list[str]) -> str:
    index_of: dict[str, int] = {}
    for index, url in enumerate(links):
        if is_trackable(url):
            index_of.setdefault(url, index)
            index_of.setdefault(html_lib.escape(url), index)

    def replace(match: re.Match) -> str:
        href = match.group("href")
        index = index_of.get(href)
        if index is None:
            index = index_of.get(html_lib.unescape(href).strip())
        if index is None:
            return match.group(0)
        start, end = match.span("href")
        offset = match.start()
        tag = match.group(0)
        return f"{tag[:start - offset]}{{{{ _t.click({index}) }}}}{tag[end - offset:]}"

    return _LINK_TAG.sub(replace, html)


def _append_pixel(html: str) -> str:
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + PIXEL
    position = ends[-1].start()
    return html[:position] + PIXEL + html[position:]


class TrackingContext:
    """The `_t` of the template context: the open-pixel URL and the click URL of link i.

    Built once per message from its token (clarion.sending.tokens.message_token)."""

    __slots__ = ("_click_prefix", "open")

    def __init__(self, token: str, *, site_url: str | None = None) -> None:
        base = (site_url if site_url is not None else settings.SITE_URL).rstrip("/")
        self.open = f"{base}/t/o/{token}.gif"
        self._click_prefix = f"{base}/t/c/{token}/"

    def click(self, index: int) -> str:
        return f"{self._click_prefix}{int(index)}/"
