"""Turning a row of text cells into validated values, with the same rules as forms and the
API: custom properties through `clean_property_values`, emails through Django's validator,
phone numbers normalized to E.164, picklists accepting values, labels and the vendors'
spellings. A row either yields its values or the reasons it can't be imported."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.core.properties.models import PropertyType
from clarion.core.properties.validation import clean_property_values
from clarion.crm.models import LeadStatus, LifecycleStage, Source
from clarion.integrations.imports.mapping import ImportField, fields_for, normalize
from clarion.integrations.imports.transforms import map_value, split_name

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
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


class RowReader:
    """Reads rows of one import: built once per run (fields, users, pipelines looked up
    once), then `read(cells)` per row."""

    def __init__(self, *, object_type: str, headers: list[str], mapping: dict,
                 transforms: dict, match_by: str):
        self.fields = fields_for(object_type)
        self.match_by = match_by
        self.transforms = transforms or {}
        self.columns: list[tuple[int, str, ImportField]] = []
        for index, header in enumerate(headers):
            name = mapping.get(header) or ""
            if name in self.fields:
                target = self.fields[name]
                if self.transforms.get(header, {}).get("kind") == "split_name":
                    target = self.fields.get("full_name", target)
                self.columns.append((index, header, target))
        self.definitions = [f.definition for _i, _h, f in self.columns if f.definition]
        self.region = getattr(settings, "CLARION_PHONE_REGION", None) or "US"
        self._owners: dict[str, int] | None = None
        self._stages: dict | None = None

    @property
    def definitions_required(self) -> list:
        """Required custom properties of the record type: a new record must have them."""
        return [f.definition for f in self.fields.values()
                if f.definition is not None and f.definition.required]

    @property
    def mapped_fields(self) -> set[str]:
        names = {f.name for _i, _h, f in self.columns}
        if "full_name" in names:
            names |= {"first_name", "last_name"}
        return names

    def read(self, cells: list[str]) -> tuple[RowValues | None, list[str]]:
        row, errors, raw_properties = RowValues(), [], {}
        for index, header, target in self.columns:
            text = cells[index].strip() if index < len(cells) else ""
            transform = self.transforms.get(header)
            if text and transform and transform["kind"] == "map_values":
                text = map_value(transform, text).strip()
            if not text:
                continue
            try:
                self._read_cell(row, raw_properties, target, text, transform)
            except CellError as error:
                errors.append(str(error))
        if raw_properties:
            try:
                row.properties = clean_property_values(self.definitions, raw_properties,
                                                       partial=True)
            except ValidationError as error:
                errors.extend(message for messages in error.message_dict.values()
                              for message in messages)
        if errors:
            return None, errors
        row.key = self._key(row)
        return row, []

    def _read_cell(self, row: RowValues, raw_properties: dict, target: ImportField,
                   text: str, transform: dict | None) -> None:
        date_format = transform["format"] if transform and transform["kind"] == \
            "date_format" else None
        if target.kind == "property":
            if target.definition.type in (PropertyType.DATE, PropertyType.DATETIME):
                moment = parse_moment(text, date_format, target)
                text = (moment.date().isoformat() if target.definition.type ==
                        PropertyType.DATE else moment.isoformat())
            elif target.definition.type == PropertyType.PHONE:
                text = self._phone(text, target)
            elif target.definition.type == PropertyType.MULTISELECT:
                raw_properties[target.name] = [part.strip() for part in
                                               re.split(r"[;|]", text) if part.strip()]
                return
            raw_properties[target.name] = text
            return
        if target.kind == "full_name":
            first, last = split_name(text)
            row.values.setdefault("first_name", first[:120])
            row.values.setdefault("last_name", last[:120])
            return
        row.values[target.name] = self._core_value(target, text, date_format)

    def _core_value(self, target: ImportField, text: str, date_format: str | None):
        kind = target.kind
        if target.max_length and len(text) > target.max_length:
            raise CellError(_("%(field)s: longer than %(max)s characters.")
                            % {"field": target.label, "max": target.max_length})
        if kind == "email":
            return normalize_email(text, target)
        if kind == "phone":
            return self._phone(text, target)
        if kind in CHOICES:
            return choice_value(kind, text, target)
        if kind == "datetime":
            return parse_moment(text, date_format, target)
        if kind == "date":
            return parse_moment(text, date_format, target).date()
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
        if kind in ("pipeline", "stage"):
            return text
        return text  # text, company_name

    def _phone(self, text: str, target: ImportField) -> str:
        if E164.match(text):
            return text
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

    def _key(self, row: RowValues):
        if self.match_by == "id":
            return row.values.get("id")
        if self.match_by == "domain":
            return row.values.get("domain")
        return row.values.get("email")


def normalize_email(text: str, target: ImportField) -> str:
    address = text.removeprefix("mailto:").strip().strip("<>").lower()
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


def choice_value(kind: str, text: str, target: ImportField) -> str:
    choices, aliases = CHOICES[kind]
    wanted = normalize(text)
    for value, label in choices.choices:
        if wanted in (normalize(value), normalize(str(label))):
            return value
    if wanted in aliases:
        return aliases[wanted]
    raise CellError(_("%(field)s: “%(value)s” is not one of the options.")
                    % {"field": target.label, "value": text})


def parse_moment(text: str, date_format: str | None, target: ImportField) -> datetime:
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
        formats = [d + t for d in DATE_FORMATS for t in TIME_FORMATS]
    for candidate in formats:
        try:
            return _aware(datetime.strptime(text, candidate))
        except ValueError:
            continue
    raise CellError(_("%(field)s: the date “%(value)s” can't be read.")
                    % {"field": target.label, "value": text})


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


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
