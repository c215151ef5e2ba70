"""Personalization: the tokens of an email ({{ contact.first_name|default("there") }}) filled in
per recipient by a sandboxed Jinja2 environment.

A send compiles its subject, HTML and text once (`prepare`) and renders them per recipient
(`Prepared.render`) from contexts built set-based (`contact_contexts`). The sandbox refuses
private and internal attributes, `|safe` and `{% autoescape %}`, and oversized products; any
failure of one recipient's render is a `PersonalizationError` the send engine can record.
"""

import operator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from jinja2 import Template, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.sandbox import SandboxedEnvironment

from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Contact

# The names a template may use at top level. `_t` is the tracking object the send engine
# passes (opens and clicks); it is not the author's to write, so never reported as unknown.
TOP_LEVEL_NAMES = ("contact", "company", "owner", "sender", "unsubscribe_url",
                   "preferences_url")
EXEMPT_NAMES = ("_t",)

CONTACT_FIELDS = ("id", "email", "first_name", "last_name", "full_name", "phone",
                  "mobile_phone", "job_title", "city", "country", "time_zone",
                  "lifecycle_stage", "lead_status")
COMPANY_FIELDS = ("id", "name", "domain", "industry", "phone", "city", "country", "employees")
OWNER_FIELDS = ("name", "first_name", "last_name", "email")
SENDER_FIELDS = ("name", "from_name", "from_email", "reply_to", "postal_address")

SAFE_FILTERS = ("upper", "lower", "title", "capitalize", "trim", "truncate", "escape", "e",
                "first", "last", "length", "count", "join", "round", "int", "float", "abs",
                "string", "urlencode", "striptags", "wordcount", "list", "sort", "unique")
MAX_PRODUCT_LENGTH = 10_000


class PersonalizationError(Exception):
    """A template that cannot be compiled or rendered, with a message a person can act on."""


class TokenSyntaxError(PersonalizationError):
    """A token written wrongly (an unclosed {{, a misspelt filter, …)."""


def _is_blank(value: Any) -> bool:
    return (isinstance(value, Undefined) or value is None
            or (isinstance(value, str) and not value.strip()))


def default_filter(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """Like Jinja's `default`, but a missing, None or blank value takes the default too:
    `{{ contact.first_name|default("there") }}` greets a contact without a first name."""
    if _is_blank(value) or (boolean and not value):
        return default_value
    return value


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


class EmailSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        # Jinja returns an Undefined that fails only when used; an author probing the
        # sandbox gets a clear error at once instead.
        raise SecurityError(_("“%(attribute)s” is not available in personalization tokens.")
                            % {"attribute": attribute})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            return self.unsafe_undefined(obj, attribute)
        if type(obj) is dict and attribute in obj:
            # A record's fields win over dict methods: a property called "items" or "values"
            # reads its value.
            return obj[attribute]
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_"):
            return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**" and (not isinstance(right, int) or abs(right) > 100
                                      or abs(left) > 10**6):
            raise SecurityError(_("That power is too large for a personalization token."))
        if operator_name == "*":
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, str | list | tuple) and isinstance(times, int) and \
                    len(sequence) * times > MAX_PRODUCT_LENGTH:
                raise SecurityError(_("That text is too long for a personalization token."))
        return {"*": operator.mul, "**": operator.pow}[operator_name](left, right)


def _environment(*, autoescape: bool) -> EmailSandbox:
    environment = EmailSandbox(autoescape=autoescape, finalize=_finalize, auto_reload=False,
                               cache_size=0)
    environment.globals.clear()
    environment.filters = {name: FILTERS[name] for name in SAFE_FILTERS}
    environment.filters["default"] = environment.filters["d"] = default_filter
    return environment


HTML_ENVIRONMENT = _environment(autoescape=True)
TEXT_ENVIRONMENT = _environment(autoescape=False)


def parse(source: str, *, environment: EmailSandbox = TEXT_ENVIRONMENT) -> nodes.Template:
    """The checked syntax tree of `source`; TokenSyntaxError for mistakes and for constructs
    a personalization token may not use."""
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as error:
        raise TokenSyntaxError(_("Line %(line)s: %(problem)s")
                               % {"line": error.lineno, "problem": error.message}) from None
    forbidden = (nodes.EvalContextModifier, nodes.Extends, nodes.Include, nodes.Import,
                 nodes.FromImport)
    for node in tree.find_all(forbidden):
        raise TokenSyntaxError(_("Line %(line)s: this template tag is not allowed in emails.")
                               % {"line": node.lineno})
    return tree


def _compile(source: str, environment: EmailSandbox) -> Template:
    tree = parse(source, environment=environment)
    try:
        return environment.from_string(tree)
    except TemplateSyntaxError as error:
        raise TokenSyntaxError(str(error.message)) from None


_EMPTY_OBJECTS: dict = {"contact": {}, "company": {}, "owner": {}, "sender": {}}


@dataclass(frozen=True)
class Prepared:
    """One variant compiled once; `render` fills it in for one recipient."""

    subject: Template
    html: Template
    text: Template

    def render(self, context: dict) -> tuple[str, str, str]:
        # A contact without a company, owner or record (deleted since) reads empty values.
        context = _EMPTY_OBJECTS | context
        try:
            subject = self.subject.render(context)
            return (" ".join(subject.split()), self.html.render(context),
                    self.text.render(context))
        except PersonalizationError:
            raise
        except Exception as error:  # one recipient's failure, reported for that recipient
            raise PersonalizationError(str(error) or type(error).__name__) from error


def prepare(variant: dict) -> Prepared:
    """Compile a variant's subject, HTML and text ({"subject", "html", "text", …})."""
    return Prepared(subject=_compile(variant.get("subject", ""), TEXT_ENVIRONMENT),
                    html=_compile(variant.get("html", ""), HTML_ENVIRONMENT),
                    text=_compile(variant.get("text", ""), TEXT_ENVIRONMENT))


def render_string(source: str, context: dict, *, html: bool = False) -> str:
    """One-off rendering of a single source (previews, test sends)."""
    template = _compile(source, HTML_ENVIRONMENT if html else TEXT_ENVIRONMENT)
    try:
        return template.render(context)
    except Exception as error:
        raise PersonalizationError(str(error) or type(error).__name__) from error


# --- Contexts -----------------------------------------------------------------------------

def known_fields() -> dict[str, set[str]]:
    """The attributes each top-level object offers, custom properties included."""
    custom: dict[str, set[str]] = {"contact": set(), "company": set()}
    for object_type, name in PropertyDefinition.objects.filter(
            object_type__in=custom, archived=False).values_list("object_type", "name"):
        custom[object_type].add(name)
    return {"contact": set(CONTACT_FIELDS) | custom["contact"],
            "company": set(COMPANY_FIELDS) | custom["company"],
            "owner": set(OWNER_FIELDS), "sender": set(SENDER_FIELDS)}


def available_tokens() -> list[dict]:
    """Every token an author can insert, for the builder's token menu."""
    labels = {"contact": _("Contact"), "company": _("Company"), "owner": _("Contact owner"),
              "sender": _("Sender")}
    tokens = []
    for group, fields in known_fields().items():
        for field in sorted(fields):
            tokens.append({"group": str(labels[group]), "token": f"{group}.{field}"})
    tokens += [{"group": str(labels["sender"]), "token": name}
               for name in ("unsubscribe_url", "preferences_url")]
    return tokens


def contact_contexts(contact_ids) -> dict[int, dict]:
    """{contact id: {"contact", "company", "owner"}} for many contacts in one query (with
    the company and owner joined), plus one for the property definitions."""
    names = known_fields()
    custom_contact = sorted(names["contact"] - set(CONTACT_FIELDS))
    custom_company = sorted(names["company"] - set(COMPANY_FIELDS))
    columns = [field for field in CONTACT_FIELDS if field != "full_name"] + ["properties"]
    columns += [f"company__{field}" for field in COMPANY_FIELDS] + ["company__properties"]
    columns += ["owner__first_name", "owner__last_name", "owner__email"]
    rows = Contact.objects.filter(pk__in=contact_ids).values(*columns)
    return {row["id"]: _context_of(row, custom_contact, custom_company) for row in rows}


def _context_of(row: dict, custom_contact: list[str], custom_company: list[str]) -> dict:
    properties = row["properties"] or {}
    contact = {name: properties.get(name) for name in custom_contact}
    contact.update({field: row[field] for field in CONTACT_FIELDS if field != "full_name"})
    contact["full_name"] = Contact(first_name=row["first_name"],
                                   last_name=row["last_name"]).full_name
    company: dict = {}
    if row["company__id"] is not None:
        company_properties = row["company__properties"] or {}
        company = {name: company_properties.get(name) for name in custom_company}
        company.update({field: row[f"company__{field}"] for field in COMPANY_FIELDS})
    owner: dict = {}
    if row["owner__email"]:
        first, last = row["owner__first_name"], row["owner__last_name"]
        owner = {"first_name": first, "last_name": last, "email": row["owner__email"],
                 "name": f"{first} {last}".strip() or row["owner__email"]}
    return {"contact": contact, "company": company, "owner": owner}


def contact_context(contact: Contact | int) -> dict:
    contact_id = contact.pk if isinstance(contact, Model) else contact
    return contact_contexts([contact_id]).get(contact_id) or sample_context()


def sample_context() -> dict:
    """A made-up recipient for previews when no contact is chosen."""
    return {"contact": {"id": 0, "email": "alex.morgan@example.com", "first_name": "Alex",
                        "last_name": "Morgan", "full_name": "Alex Morgan",
                        "job_title": _("Marketing manager"), "city": "Lisbon",
                        "country": "Portugal"},
            "company": {"name": "Northwind Trading", "domain": "example.com"},
            "owner": {"name": "Sam Taylor", "first_name": "Sam", "last_name": "Taylor",
                      "email": "sam.taylor@example.com"}}


def sender_context(sender: Any) -> dict:
    """The sender identity as tokens see it (`sender.postal_address`, …)."""
    if sender is None:
        return {"name": "", "from_name": "", "from_email": "", "reply_to": "",
                "postal_address": _("[Your postal address]")}
    return {field: getattr(sender, field, "") or "" for field in SENDER_FIELDS}


# --- Unknown tokens ------------------------------------------------------------------------

def unknown_tokens(variant_or_source: dict | str, *, fields: dict | None = None) -> list[str]:
    """The tokens that name nothing: unknown top-level names ("cycler"), unknown attributes
    ("contact.fist_name") and private ones ("contact.__class__"), in order of appearance.
    TokenSyntaxError when a source does not parse."""
    if isinstance(variant_or_source, dict):
        sources = [variant_or_source.get(key, "") for key in ("subject", "preheader", "html",
                                                              "text")]
    else:
        sources = [variant_or_source]
    fields = fields if fields is not None else known_fields()
    found: list[str] = []
    for source in sources:
        if source and ("{" in source):
            for token in _unknown_in(parse(source), fields):
                if token not in found:
                    found.append(token)
    return found


def _unknown_in(tree: nodes.Template, fields: dict) -> list[str]:
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store",
                                                                                "param")}
    unknown: list[str] = []
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Name):
            if node.ctx == "load" and node.name not in assigned and \
                    node.name not in TOP_LEVEL_NAMES and node.name not in EXEMPT_NAMES:
                unknown.append(node.name)
            continue
        attribute = node.attr if isinstance(node, nodes.Getattr) else (
            node.arg.value if isinstance(node.arg, nodes.Const) else None)
        if not isinstance(attribute, str):
            continue
        base = node.node
        if attribute.startswith("_"):
            unknown.append(f"{_dotted(base)}.{attribute}")
        elif isinstance(base, nodes.Name) and base.name in fields and \
                base.name not in assigned and attribute not in fields[base.name]:
            unknown.append(f"{base.name}.{attribute}")
    return unknown


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    return "…"

