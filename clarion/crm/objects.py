"""The record types the generic record pages serve, one definition each (NetBox-style): which
model, which URLs, which columns a list shows and which core fields a form edits. Contacts,
companies and deals share one set of views and templates driven by these definitions."""

from dataclasses import dataclass

from django.db import models
from django.http import Http404
from django.urls import reverse

from clarion.crm.models import Company, Contact, Deal


@dataclass(frozen=True)
class ObjectType:
    name: str                    # "contact": event kinds and PropertyDefinition.object_type
    model: type[models.Model]
    url_prefix: str              # "contacts": /contacts/, /contacts/<id>/ …
    section: str                 # the app-shell section the pages belong to
    list_columns: tuple[str, ...]
    form_fields: tuple[str, ...]
    select_related: tuple[str, ...] = ()
    has_lifecycle: bool = False

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> str:
        return self.model._meta.verbose_name_plural

    def url(self, view: str, record: models.Model | int | None = None) -> str:
        """The address of one of the type's pages; `record` is a record or its id."""
        args = [getattr(record, "pk", record)] if record is not None else []
        return reverse(f"crm:{self.name}_{view}", args=args)

    @property
    def url_list(self) -> str:
        return self.url("list")

    @property
    def url_create(self) -> str:
        return self.url("create")

    def record_urls(self, record: models.Model) -> dict[str, str]:
        """The addresses of one record's pages, for templates."""
        return {view: self.url(view, record)
                for view in ("detail", "edit", "delete", "timeline")}

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def queryset(self) -> models.QuerySet:
        return self.model.objects.select_related("owner", *self.select_related)


CONTACT = ObjectType(
    name="contact", model=Contact, url_prefix="contacts", section="contacts",
    list_columns=("email", "company", "lifecycle_stage", "owner", "created_at"),
    form_fields=("first_name", "last_name", "email", "phone", "mobile_phone", "job_title",
                 "company", "city", "country", "time_zone", "owner", "lifecycle_stage",
                 "lead_status"),
    select_related=("company",), has_lifecycle=True)
COMPANY = ObjectType(
    name="company", model=Company, url_prefix="companies", section="contacts",
    list_columns=("domain", "industry", "city", "owner", "created_at"),
    form_fields=("name", "domain", "industry", "phone", "city", "country", "employees",
                 "annual_revenue", "owner", "lifecycle_stage", "lead_status"),
    has_lifecycle=True)
DEAL = ObjectType(
    name="deal", model=Deal, url_prefix="deals", section="deals",
    list_columns=("amount", "stage", "company", "close_date", "owner"),
    form_fields=("name", "amount", "currency", "pipeline", "stage", "close_date",
                 "forecast_category", "company", "contacts", "owner"),
    select_related=("company", "pipeline", "stage"))

OBJECT_TYPES: dict[str, ObjectType] = {t.name: t for t in (CONTACT, COMPANY, DEAL)}


def object_type_for(record_or_model) -> ObjectType:
    return OBJECT_TYPES[record_or_model._meta.model_name]


def get_object_type(name: str) -> ObjectType:
    if name not in OBJECT_TYPES:
        raise Http404
    return OBJECT_TYPES[name]
