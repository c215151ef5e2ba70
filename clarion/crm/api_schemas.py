"""The JSON shapes of the CRM API: what a contact, company or deal looks like going in and
coming out. Core fields are columns; custom properties travel in `properties`."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator

from clarion.crm.models import ForecastCategory, LeadStatus, LifecycleStage, Source

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
class RecordIn(Schema):
    owner_id: int | None = Field(None, description="The owning user's id.")
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
    company_id: int | None = None
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


class CompanyIn(RecordIn):
    name: str = Field("", max_length=255)
    domain: str = Field("", max_length=255)
    industry: str = Field("", max_length=120)
    phone: str = Field("", max_length=40)
    city: str = Field("", max_length=120)
    country: str = Field("", max_length=120)
    employees: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    lifecycle_stage: LifecycleValue = ""
    lead_status: LeadStatusValue = ""
    original_source: SourceValue = ""


class DealIn(RecordIn):
    name: str = Field("", max_length=255)
    amount: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: str = Field("USD", min_length=3, max_length=3)
    pipeline_id: int | None = None
    stage_id: int | None = None
    close_date: date | None = None
    forecast_category: ForecastValue = ""
    company_id: int | None = None
    contact_ids: list[int] | None = None


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


class SearchIn(Schema):
    filter: dict[str, Any] | None = Field(
        None, description="A filter tree, e.g. "
        '`{"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"}]}`.')
    sort: str | None = Field(None, description="A sortable field; prefix `-` for descending.")
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = None


class MergeIn(Schema):
    other_id: int = Field(description="The record merged into this one, then deleted.")
    values: dict[str, Literal["this", "other"]] = Field(
        default_factory=dict,
        description="Per field, which record's value to keep; unnamed fields keep this "
                    "record's value.")
