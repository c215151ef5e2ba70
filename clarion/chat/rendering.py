"""How a message body becomes HTML for one viewer: everything escaped, mention tokens as
mentions, and references to CRM records (a pasted record address of this Clarion, or
`#contact:123`) as cards — only for records the viewer may see; any other reference reads
"a record you can't open", so a message never reveals a record to someone without access."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from clarion.collab.mentions import people_by_id, render_with_mentions
from clarion.core.permissions import visible_to
from clarion.crm.objects import OBJECT_TYPES

PREFIXES = {t.url_prefix: t.name for t in OBJECT_TYPES.values()}
# A reference starts a word (so "/contacts/1/" inside another site's address is not one).
RECORD_REFERENCE = re.compile(
    r"(?<!\S)(?:(?P<url>(?:https?://[^\s/]+)?/(?P<prefix>{})/(?P<url_id>\d+)/?)"
    r"(?=$|[\s.,;:!?)])|#(?P<type>{}):(?P<id>\d+)\b)".format(
        "|".join(PREFIXES), "|".join(OBJECT_TYPES)))


@dataclass(frozen=True)
class Reference:
    type_name: str
    record_id: int


def own_hosts(request=None) -> set[str]:
    hosts = {urlsplit(settings.SITE_URL).netloc}
    if request is not None:
        hosts.add(request.get_host())
    return hosts


def _reference(match: re.Match, hosts: set[str]) -> Reference | None:
    if match.group("type"):
        return Reference(match.group("type"), int(match.group("id")))
    url = match.group("url")
    if url.startswith("http") and urlsplit(url).netloc not in hosts:
        return None  # another site's address: plain text
    return Reference(PREFIXES[match.group("prefix")], int(match.group("url_id")))


def references_in(body: str, hosts: set[str]) -> set[Reference]:
    found = {_reference(m, hosts) for m in RECORD_REFERENCE.finditer(body)}
    found.discard(None)
    return found  # type: ignore[return-value]


def visible_records(viewer, references: set[Reference]) -> dict[Reference, object]:
    """The referenced records the viewer may see, one query per record type."""
    by_type: dict[str, set[int]] = {}
    for reference in references:
        by_type.setdefault(reference.type_name, set()).add(reference.record_id)
    records = {}
    for type_name, ids in by_type.items():
        object_type = OBJECT_TYPES[type_name]
        for record in visible_to(viewer, object_type.queryset().filter(pk__in=ids)):
            records[Reference(type_name, record.pk)] = record
    return records


def card_html(reference: Reference, record) -> str:
    return render_to_string("chat/record_card.html", {
        "record": record, "object_type": OBJECT_TYPES[reference.type_name]}).strip()


def hidden_reference_html() -> str:
    return render_to_string("chat/record_hidden.html").strip()


class BodyRenderer:
    """Renders many message bodies for one viewer with the records they reference fetched
    together (no query per message)."""

    def __init__(self, viewer, bodies: list[str], request=None) -> None:
        self.hosts = own_hosts(request)
        references: set[Reference] = set()
        for body in bodies:
            references |= references_in(body, self.hosts)
        self.records = visible_records(viewer, references) if references else {}
        self.people = people_by_id(bodies)

    def mentions(self, text: str) -> str:
        return str(render_with_mentions(text, people=self.people)) if text else ""

    def render(self, body: str) -> SafeString:
        parts, last = [], 0
        for match in RECORD_REFERENCE.finditer(body):
            reference = _reference(match, self.hosts)
            if reference is None:
                continue
            parts.append(self.mentions(body[last:match.start()]))
            record = self.records.get(reference)
            parts.append(card_html(reference, record) if record is not None
                         else hidden_reference_html())
            last = match.end()
        parts.append(self.mentions(body[last:]))
        return mark_safe("".join(parts))  # noqa: S308  text pieces are escaped, cards templated
