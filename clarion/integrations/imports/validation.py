"""Turning a row of text cells into validated values, with the same rules as forms and the
API: custom properties through `clean_property_values`, emails through Django's validator,
phone numbers normalized to E.164, picklists accepting values, labels and the vendors'
spellings. A row either yields its values or the reasons it can't be imported."""

import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clarion.core.properties.models import PropertyType
from clarion.core.properties.validation import clean_property_value
from clarion.crm.models import LeadStatus, LifecycleStage, Source
from clarion.integrations.imports.mapping import ImportField, fields_for, normalize
from clarion.integrations.imports.transforms import map_value, split_name

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# A strict subset of what django.core.validators.validate_email accepts.
PLAIN_EMAIL = re.compile(r"^[a-z0-9_+-]{1,64}(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}"
                         r"[a-z0-9])?\.)+[a-z]{2,63}$")
PHONE_SEPARATORS = re.compile(r"[ .\-\u00a0]")
NUMBER_NOISE = re.compile(r"[\s$€£¥,_]")

# How vendors spell the values of Clarion's picklists (compared after normalize()).
LIFECYCLE_ALIASES = {
    "marketingqualifiedlead": "mql", "salesqualifiedlead": "sql",
    "mql": "mql", "sql": "sql", "prospect": "lead", "newsletter": "subscriber",
    "customers": "customer", "client": "customer", "advocate": "evangelist",
}
LEAD_STATUS_ALIASES = {
    "attemptedtocontact": "attempted", "contacted": "connected", "contactinfuture":
    "bad_timing", "notcontacted": "new", "junklead": "unqualified", "lostlead":
    "unqualified", "notqualified": "unqualified", "prequalified": "open", "qualified":
    "open_deal", "working": "in_progress", "workingcontacted": "in_progress",
    "opennotcontacted": "new", "closedconverted": "open_deal", "closednotconverted":
    "unqualified",
}
SOURCE_ALIASES = {
    "organicsearch": "organic_search", "paidsearch": "paid", "paidsocial": "paid",
    "socialmedia": "social", "emailmarketing": "email", "referrals": "referral",
    "directtraffic": "direct", "offlinesources": "other", "otheremail": "email",
    "web": "form", "website": "form", "webdownload": "form", "webresearch": "organic_search",
    "webform": "form", "phoneinquiry": "other", "partnerreferral": "referral",
    "employeereferral": "referral", "externalreferral": "referral", "wordofmouth":
    "referral", "partner": "referral", "purchasedlist": "import", "advertisement": "paid",
    "tradeshow": "other", "seminarpartner": "other", "internalseminar": "other",
    "coldcall": "other", "onlinestore": "direct", "publicrelations": "other",
    "salesemailalias": "email", "facebook": "social", "twitter": "social",
    "linkedin": "social", "x": "social", "chat": "chat", "livechat": "chat",
    "googleadwords": "paid", "googleads": "paid",
}
CHOICES = {
    "lifecycle_stage": (LifecycleStage, LIFECYCLE_ALIASES),
    "lead_status": (LeadStatus, LEAD_STATUS_ALIASES),
    "original_source": (Source, SOURCE_ALIASES),
}

# Tried in order when a column has no date format transform; day-first formats come after
# month-first ones, as in HubSpot and Salesforce exports.
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%y",
                "%d-%b-%Y", "%b %d, %Y", "%d %b %Y", "%Y%m%d")
# A column whose first rows show a day above 12 first ("31/12/2024") is read day-first
# throughout, so "03/04/2024" in the same column is the 3rd of April, not March 4th.
DAY_FIRST_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y",
                          "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%Y%m%d")
DAY_FIRST_SAMPLE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")
TIME_FORMATS = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", "T%H:%M:%S",
                "T%H:%M:%S.%f", " %H:%M:%S.%f")


class CellError(ValueError):
    """A cell's value can't be used; the message names the column's field."""


@dataclass
class RowValues:
    """What one row will write: core field values, custom properties, company link."""

    values: dict = field(default_factory=dict)       # field name → value
    properties: dict = field(default_factory=dict)   # custom property name → stored value
    key: object = None                                # what identifies the record

    def display(self) -> dict:
        return {**{name: _display(value) for name, value in self.values.items()},
                **{name: _display(value) for name, value in self.properties.items()}}


def _display(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


REPEATING_KINDS = {*CHOICES, "date", "integer", "decimal", "currency", "pipeline", "stage",
                   "time_zone"}
REMEMBERED_CELLS = 10_000  # distinct values remembered per column


def _remembering(read: Callable[[str], object]) -> Callable[[str], object]:
    """`read` that answers a cell it has read before (value or error) without reading it
    again: custom-property columns (tiers, scores, dates, yes/no) hold few distinct values,
    and validating each of a million cells was most of an import's Python time."""
    seen: dict[str, tuple[bool, object]] = {}

    def remembered(text: str):
        known = seen.get(text)
        if known is None:
            try:
                known = (True, read(text))
            except CellError as error:
                known = (False, str(error))
            if len(seen) < REMEMBERED_CELLS:
                seen[text] = known
        ok, value = known
        if not ok:
            raise CellError(value)
        return list(value) if isinstance(value, list) else value
    return remembered


class RowReader:
    """Reads rows of one import: built once per run (fields, users, pipelines looked up
    once), then `read(cells)` per row."""

    def __init__(self, *, object_type: str, headers: list[str], mapping: dict,
                 transforms: dict, match_by: str, sample: list[list[str]] | None = None):
        self.fields = fields_for(object_type)
        self.match_by = match_by
        self.transforms = transforms or {}
        self.region = getattr(settings, "CLARION_PHONE_REGION", None) or "US"
        self.choices = {kind: choice_lookup(kind) for kind in CHOICES}
        self._owners: dict[str, int] | None = None
        self.targets: list[ImportField] = []
        # Per mapped column: (cell index, value transform or None, cell reader).
        self.columns: list[tuple[int, Callable | None, Callable]] = []
        for index, header in enumerate(headers):
            name = mapping.get(header) or ""
            if name not in self.fields:
                continue
            transform = self.transforms.get(header) or {}
            target = self.fields[name]
            if transform.get("kind") == "split_name":
                target = self.fields.get("full_name", target)
            mapper = ((lambda text, t=transform: map_value(t, text).strip())
                      if transform.get("kind") == "map_values" else None)
            date_format = transform.get("format") if transform.get("kind") == \
                "date_format" else None
            self.targets.append(target)
            day_first = not date_format and _day_first(sample or [], index)
            self.columns.append((index, mapper,
                                 self._cell_reader(target, date_format, day_first)))
        self.definitions = [f.definition for f in self.targets if f.definition]

    @property
    def definitions_required(self) -> list:
        """Required custom properties of the record type: a new record must have them."""
        return [f.definition for f in self.fields.values()
                if f.definition is not None and f.definition.required]

    @property
    def mapped_fields(self) -> set[str]:
        names = {f.name for f in self.targets}
        if "full_name" in names:
            names |= {"first_name", "last_name"}
        return names

    def read(self, cells: list[str]) -> tuple[RowValues | None, list[str]]:
        """The row's values, or None and every problem found in it."""
        row, errors = RowValues(), []
        width = len(cells)
        for index, mapper, reader in self.columns:
            if index >= width:
                continue
            text = cells[index].strip()
            if text and mapper is not None:
                text = mapper(text)
            if not text:
                continue
            try:
                reader(row, text)
            except CellError as error:
                errors.append(str(error))
        if errors:
            return None, errors
        row.key = row.values.get(self.key_field)
        return row, []

    @property
    def key_field(self) -> str:
        return {"id": "id", "domain": "domain"}.get(self.match_by, "email")

    def _cell_reader(self, target: ImportField, date_format: str | None,
                     day_first: bool = False) -> Callable:
        """A function reading one non-empty cell of the column into the row."""
        if target.kind == "property":
            return self._property_reader(target, date_format, day_first)
        if target.kind == "full_name":
            def read_full_name(row: RowValues, text: str) -> None:
                first, last = split_name(text)
                row.values.setdefault("first_name", first[:120])
                row.values.setdefault("last_name", last[:120])
            return read_full_name
        name, max_length = target.name, target.max_length
        if target.kind in ("text", "company_name", "pipeline", "stage"):
            def read_text(row: RowValues, text: str) -> None:
                if max_length and len(text) > max_length:
                    raise CellError(_("%(field)s: longer than %(max)s characters.")
                                    % {"field": target.label, "max": max_length})
                row.values[name] = text
            return read_text

        def core_value(text: str):
            return self._core_value(target, text, date_format, day_first)

        # Picklists, dates and numbers repeat down a column: read each distinct cell once.
        read = _remembering(core_value) if target.kind in REPEATING_KINDS else core_value

        def read_core(row: RowValues, text: str) -> None:
            row.values[name] = read(text)
        return read_core

    def _property_reader(self, target: ImportField, date_format: str | None,
                         day_first: bool) -> Callable:
        """Custom properties: cleaned by `clean_property_value`, the rule forms and the API
        apply; dates and phone numbers are first brought to the form it expects."""
        definition, name = target.definition, target.name

        kind = definition.type
        if kind == PropertyType.DATE:
            def prepare(text: str):
                return parse_moment(text, date_format, target, day_first).date().isoformat()
        elif kind == PropertyType.DATETIME:
            def prepare(text: str):
                return parse_moment(text, date_format, target, day_first).isoformat()
        elif kind == PropertyType.PHONE:
            def prepare(text: str):
                return self._phone(text, target)
        elif kind == PropertyType.MULTISELECT:
            def prepare(text: str):
                return [part.strip() for part in re.split(r"[;|]", text) if part.strip()]
        else:
            prepare = None

        def clean(text: str):
            try:
                return clean_property_value(definition,
                                            prepare(text) if prepare is not None else text)
            except ValidationError as error:
                raise CellError(" ".join(error.messages)) from None

        read = _remembering(clean)

        def read_property(row: RowValues, text: str) -> None:
            row.properties[name] = read(text)
        return read_property

    def _core_value(self, target: ImportField, text: str, date_format: str | None,
                    day_first: bool = False):
        kind = target.kind
        if target.max_length and len(text) > target.max_length:
            raise CellError(_("%(field)s: longer than %(max)s characters.")
                            % {"field": target.label, "max": target.max_length})
        if kind == "email":
            return normalize_email(text, target)
        if kind == "phone":
            return self._phone(text, target)
        if kind in CHOICES:
            return choice_value(self.choices[kind], text, target)
        if kind == "datetime":
            return parse_moment(text, date_format, target, day_first)
        if kind == "date":
            return parse_moment(text, date_format, target, day_first).date()
        if kind in ("integer", "decimal", "id"):
            return parse_number(text, target, integer=kind != "decimal")
        if kind == "domain":
            return normalize_domain(text, target)
        if kind == "owner":
            return self._owner(text, target)
        if kind == "currency":
            if not re.fullmatch(r"[A-Za-z]{3}", text):
                raise CellError(_("%(field)s: “%(value)s” is not a three-letter currency "
                                  "code.") % {"field": target.label, "value": text})
            return text.upper()
        if kind == "time_zone":
            return time_zone_name(text, target)
        if kind in ("pipeline", "stage"):
            return text
        return text  # text, company_name

    def _phone(self, text: str, target: ImportField) -> str:
        if E164.match(text):
            return text
        # "+44 7700 900123", "+1-415-555-0100": dropping the separators of an international
        # number gives what phonenumbers would (a "(0)" trunk prefix needs phonenumbers).
        if text.startswith("+") and "(" not in text:
            compact = PHONE_SEPARATORS.sub("", text)
            if E164.match(compact):
                return compact
        try:
            number = phonenumbers.parse(text, self.region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise CellError(_("%(field)s: “%(value)s” is not a phone number.")
                            % {"field": target.label, "value": text})
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def _owner(self, text: str, target: ImportField) -> int:
        if self._owners is None:
            self._owners = owner_lookup()
        owner_id = self._owners.get(text.casefold())
        if owner_id is None:
            raise CellError(_("%(field)s: nobody called “%(value)s” uses Clarion.")
                            % {"field": target.label, "value": text})
        return owner_id


@functools.cache
def _time_zones() -> dict[str, str]:
    """Every IANA zone name by its lowercased spelling."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def time_zone_name(text: str, target: ImportField) -> str:
    """An IANA time zone name such as "Europe/Paris", spelled in any case; also as HubSpot
    writes it ("europe_slash_paris") or labels it ("(GMT+01:00) Europe/Paris")."""
    spelled = text.strip()
    if spelled.startswith("(") and ")" in spelled:
        spelled = spelled.split(")", 1)[1].strip()
    spelled = spelled.replace("_slash_", "/").replace(" ", "_").lower()
    name = _time_zones().get(spelled)
    if name is None:
        raise CellError(_("%(field)s: “%(value)s” is not a time zone name such as "
                          "Europe/Paris.") % {"field": target.label, "value": text})
    return name


def normalize_email(text: str, target: ImportField) -> str:
    address = text.removeprefix("mailto:").strip().strip("<>").lower()
    if len(address) <= 254 and PLAIN_EMAIL.match(address):
        return address   # a plain address Django's validator accepts too; skip the slow path
    try:
        validate_email(address)
    except ValidationError:
        raise CellError(_("%(field)s: “%(value)s” is not a valid email address.")
                        % {"field": target.label, "value": text}) from None
    return address


def normalize_domain(text: str, target: ImportField) -> str:
    domain = re.sub(r"^[a-z]+://", "", text.strip().lower()).split("/")[0].split("?")[0]
    domain = domain.removeprefix("www.")
    if not re.fullmatch(r"[a-z0-9\u00a1-\uffff-]+(\.[a-z0-9\u00a1-\uffff-]+)+", domain):
        raise CellError(_("%(field)s: “%(value)s” is not a domain name.")
                        % {"field": target.label, "value": text})
    return domain


def choice_lookup(kind: str) -> dict[str, str]:
    """{normalized spelling: stored value}: values, English and translated labels, and the
    vendors' spellings."""
    choices, aliases = CHOICES[kind]
    lookup = dict(aliases)
    with translation.override("en"):
        english = {value: str(label) for value, label in choices.choices}
    for value, label in choices.choices:
        for spelling in (value, english[value], str(label)):
            lookup[normalize(spelling)] = value
    return lookup


def choice_value(lookup: dict[str, str], text: str, target: ImportField) -> str:
    value = lookup.get(text) or lookup.get(normalize(text))
    if value is None:
        raise CellError(_("%(field)s: “%(value)s” is not one of the options.")
                        % {"field": target.label, "value": text})
    return value


def parse_moment(text: str, date_format: str | None, target: ImportField,
                 day_first: bool = False) -> datetime:
    """A timezone-aware datetime from the cell: the column's format when set, otherwise ISO
    8601 or one of the common spreadsheet formats."""
    formats = [date_format] if date_format else None
    if formats is None:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            return _aware(moment)
        dates = DAY_FIRST_DATE_FORMATS if day_first else DATE_FORMATS
        formats = [d + t for d in dates for t in TIME_FORMATS]
    for candidate in formats:
        try:
            return _aware(datetime.strptime(text, candidate))
        except ValueError:
            continue
    raise CellError(_("%(field)s: the date “%(value)s” can't be read.")
                    % {"field": target.label, "value": text})


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        return moment
    # zoneinfo zones resolve the offset from the wall time, which make_aware does slower.
    return moment.replace(tzinfo=_default_timezone())


@functools.cache
def _default_timezone():
    return timezone.get_default_timezone()


def parse_number(text: str, target: ImportField, *, integer: bool):
    try:
        number = Decimal(NUMBER_NOISE.sub("", text))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or (integer and (
            number != number.to_integral_value() or number < 0)):
        raise CellError(_("%(field)s: “%(value)s” is not a %(kind)s.") % {
            "field": target.label, "value": text,
            "kind": _("whole number") if integer else _("number")})
    return int(number) if integer else number


def owner_lookup() -> dict[str, int]:
    """Active users by lowercased email, full name and id, for owner columns."""
    from clarion.accounts.models import User

    lookup = {}
    for user in User.objects.filter(is_active=True).only("id", "email", "first_name",
                                                         "last_name"):
        full_name = f"{user.first_name} {user.last_name}".strip()
        for key in (user.email, full_name, str(user.pk)):
            if key:
                lookup.setdefault(key.casefold(), user.pk)
    return lookup


def _day_first(sample: list[list[str]], index: int) -> bool:
    """Whether the column's first rows write dates day first (a first number above 12)."""
    for row in sample:
        match = DAY_FIRST_SAMPLE.match(row[index]) if index < len(row) else None
        if match and int(match.group(1)) > 12:
            return True
    return False
