"""@mentions in stored text, shared by comments and chat.

Text is stored with tokens `@[Display Name](user:ID)`: the id says who is meant, the name is
what the writer saw (kept so the text still reads well if the person is renamed or removed).

    mentioned_users(text) -> list[User]      active, existing users, in order of appearance
    render_with_mentions(text) -> SafeString escaped text, line breaks, mention links,
                                             http(s) URLs as links
    mention_token(user) -> str               the token for a user (tests, demo data)
"""

import re

from django.contrib.auth import get_user_model
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# The name may hold anything but brackets and line breaks; ids are plain integers.
MENTION = re.compile(r"@\[(?P<name>[^\[\]\n]{1,150})\]\(user:(?P<id>\d{1,18})\)")
URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that usually ends a sentence rather than a URL.
URL_TRAILING = ".,;:!?)]}'\""


def mention_token(user) -> str:
    name = str(user).replace("[", "(").replace("]", ")")
    return f"@[{name}](user:{user.pk})"


def mentioned_ids(text: str) -> list[int]:
    return list(dict.fromkeys(int(match["id"]) for match in MENTION.finditer(text or "")))


def mentioned_users(text: str) -> list:
    """The active users the text mentions, each once, in order of first appearance."""
    ids = mentioned_ids(text)
    if not ids:
        return []
    found = get_user_model().objects.filter(pk__in=ids, is_active=True).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def _linkify(plain: str) -> str:
    """Escape `plain` and turn its http(s) URLs into links that open safely."""
    parts, last = [], 0
    for match in URL.finditer(plain):
        url = match.group(0)
        stripped = url.rstrip(URL_TRAILING)
        end = match.start() + len(stripped)
        parts.append(escape(plain[last:match.start()]))
        parts.append(format_html('<a href="{}" rel="noopener nofollow" target="_blank">{}</a>',
                                 stripped, stripped))
        last = end
    parts.append(escape(plain[last:]))
    return "".join(parts)


def _mention_link(name: str, user_id: int, people: dict) -> str:
    person = people.get(user_id)
    if person is None:  # removed or deactivated: the name alone, not a link
        return format_html('<span class="mention mention-inactive">@{}</span>', name)
    return format_html('<a class="mention" href="mailto:{}" data-user-id="{}">@{}</a>',
                       person.email, user_id, name)


def people_by_id(texts) -> dict:
    """The active users mentioned anywhere in `texts`, by id: one query for a whole page."""
    ids = {pk for text in texts for pk in mentioned_ids(text)}
    if not ids:
        return {}
    return get_user_model().objects.filter(pk__in=ids, is_active=True).in_bulk()


def render_with_mentions(text: str, *, people: dict | None = None) -> SafeString:
    """The text as safe HTML: everything escaped, line breaks kept, mentions as links
    (mentions of removed users as plain names), http(s) URLs linked with
    rel="noopener nofollow". Pass `people` (from `people_by_id` over a whole page) to look
    users up once; by default they are looked up here."""
    text = text or ""
    if people is None:
        people = people_by_id([text])
    pieces, last = [], 0
    for match in MENTION.finditer(text):
        pieces.append(_linkify(text[last:match.start()]))
        pieces.append(_mention_link(match["name"], int(match["id"]), people))
        last = match.end()
    pieces.append(_linkify(text[last:]))
    html = "".join(pieces).replace("\r\n", "\n").replace("\n", "<br>\n")
    return mark_safe(html)  # noqa: S308  every piece above is escaped or format_html-built
