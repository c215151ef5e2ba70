"""The JSON shapes of the CRM API: what a contact, company or deal looks like going in and
coming out. Core fields are columns; custom properties travel in `properties`."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator, model_validator

from clarion.crm.models import ForecastCategory, LeadStatus, LifecycleStage, Source
from clarion.crm.zones import time_zone_names

# Ids are 64-bit: anything larger can't name a row (and would overflow the database driver).
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_POSITIVE_INTEGER = 2**31 - 1  # PositiveIntegerField on PostgreSQL



def _to_utc(value: datetime) -> datetime:
    """Aware moments in UTC (the database can't store every offset pydantic accepts)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Date out of range.") from None


Moment = Annotated[datetime, AfterValidator(_to_utc)]


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


class Input(Schema):
    """Every request shape: text with NUL characters is refused (PostgreSQL can't store it)."""

    @model_validator(mode="before")
    @classmethod
    def no_nul_characters(cls, data):
        raw = getattr(data, "_obj", data)  # ninja hands over its DjangoGetter wrapper
        if isinstance(raw, dict) and _contains_nul(raw):
            raise ValueError("Text can't contain NUL characters.")
        return data


LifecycleValue = Literal[*LifecycleStage.values, ""]
LeadStatusValue = Literal[*LeadStatus.values, ""]
SourceValue = Literal[*Source.values, ""]
ForecastValue = Literal[*ForecastCategory.values, ""]


class RecordOut(Schema):
    id: int
    owner_id: int | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    version: int


class ContactOut(RecordOut):
    email: str
    first_name: str
    last_name: str
    phone: str
    mobile_phone: str
    job_title: str
    city: str
    country: str
    time_zone: str
    company_id: int | None
    lifecycle_stage: str
    lead_status: str
    original_source: str


class CompanyOut(RecordOut):
    name: str
    domain: str
    industry: str
    phone: str
    city: str
    country: str
    employees: int | None
    annual_revenue: Decimal | None
    lifecycle_stage: str
    lead_status: str
    original_source: str


class DealOut(RecordOut):
    name: str
    amount: Decimal | None
    currency: str
    pipeline_id: int
    stage_id: int
    close_date: date | None
    forecast_category: str
    company_id: int | None
    contact_ids: list[int]

    @staticmethod
    def resolve_contact_ids(deal) -> list[int]:
        if isinstance(deal, dict):  # an answer replayed for an Idempotency-Key
            return deal["contact_ids"]
        return [contact.pk for contact in deal.contacts.all()]


# Inputs: every field optional, so one shape serves create (POST) and partial update (PATCH);
# only the fields sent are applied. Fields a create needs are checked by the endpoint.
class RecordIn(Input):
    owner_id: Id | None = Field(None, description="The owning user's id.")
    properties: dict[str, Any] = Field(
        default_factory=dict, description="Custom property values by internal name.")


class ContactIn(RecordIn):
    email: str = Field("", max_length=254)
    first_name: str = Field("", max_length=120)
    last_name: str = Field("", max_length=120)
    phone: str = Field("", max_length=40)
    mobile_phone: str = Field("", max_length=40)
    job_title: str = Field("", max_length=160)
    city: str = Field("", max_length=120)
    country: str = Field("", max_length=120)
    time_zone: str = Field("", max_length=64, description="An IANA name such as Europe/Paris.")
    company_id: Id | None = None
    lifecycle_stage: LifecycleValue = ""
    lead_status: LeadStatusValue = ""
    original_source: SourceValue = ""

    @field_validator("email")
    @classmethod
    def email_is_valid(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValueError("Enter a valid email address.") from None
        return value

    @field_validator("time_zone")
    @classmethod
    def time_zone_is_known(cls, value: str) -> str:
        value = value.strip()
        if value and value not in time_zone_names():
            raise ValueError(f"Unknown time zone {value!r}: use an IANA name such as "
                             "Europe/Paris.")
        return value


class CompanyIn(RecordIn):
    name: str = Field("", max_length=255)
    domain: str = Field("", max_length=255)
    industry: str = Field("", max_length=120)
    phone: str = Field("", max_length=40)
    city: str = Field("", max_length=120)
    country: str = Field("", max_length=120)
    employees: int | None = Field(None, ge=0, le=MAX_POSITIVE_INTEGER)
    annual_revenue: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    lifecycle_stage: LifecycleValue = ""
    lead_status: LeadStatusValue = ""
    original_source: SourceValue = ""


class DealIn(RecordIn):
    name: str = Field("", max_length=255)
    amount: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: str = Field("USD", min_length=3, max_length=3)
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    close_date: date | None = None
    forecast_category: ForecastValue = ""
    company_id: Id | None = None
    contact_ids: list[Id] | None = Field(None, max_length=1000)


class EventOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    actor_id: int | None
    subject_type: str | None
    subject_id: int | None
    data: dict[str, Any]

    @staticmethod
    def resolve_subject_type(event) -> str | None:
        return event.subject_type.model if event.subject_type_id else None


class EventPage(Schema):
    results: list[EventOut]
    next: str | None


class SearchIn(Input):
    filter: dict[str, Any] | None = Field(
        None, description="A filter tree, e.g. "
        '`{"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"}]}`.')
    sort: str | None = Field(None, description="A sortable field; prefix `-` for descending.")
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = None


class MergeIn(Input):
    other_id: Id = Field(description="The record merged into this one, then deleted.")
    values: dict[str, Literal["this", "other"]] = Field(
        default_factory=dict,
        description="Per field, which record's value to keep; unnamed fields keep this "
                    "record's value.")
