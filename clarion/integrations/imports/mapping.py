"""What an imported column can become, and which column becomes what without asking: the
fields of each record type, and the headers HubSpot, Salesforce and Zoho CRM write in their
standard exports (plus the usual spreadsheet spellings)."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from clarion.core.properties.models import PropertyDefinition


@dataclass(frozen=True)
class ImportField:
    """One thing a column can be mapped to. `kind` says how cells are read (validation.py);
    `column` is the database column written, "" for values handled another way."""

    name: str
    label: object
    kind: str
    column: str = ""
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = field(default=())
    max_length: int = 0
    definition: PropertyDefinition | None = None


def _f(name, label, kind, column=None, aliases=(), max_length=0):
    return ImportField(name, label, kind, name if column is None else column, aliases,
                       max_length=max_length)


# Aliases are compared after normalize(): lowercase letters and digits only.
_LEAD_FIELDS = (
    _f("lifecycle_stage", _("Lifecycle stage"), "lifecycle_stage",
       aliases=("lifecyclestage", "lifecycle", "stage")),
    _f("lead_status", _("Lead status"), "lead_status", aliases=("leadstatus", "status")),
    _f("original_source", _("Original source"), "original_source",
       aliases=("originalsource", "leadsource", "source", "originalsourcetype")),
)

CONTACT_FIELDS = (
    _f("email", _("Email"), "email", max_length=254,
       aliases=("email", "emailaddress", "email1", "primaryemail", "workemail",
                "businessemail", "emailaddresses", "mail")),
    _f("first_name", _("First name"), "text", max_length=120,
       aliases=("firstname", "givenname", "first", "forename")),
    _f("last_name", _("Last name"), "text", max_length=120,
       aliases=("lastname", "surname", "familyname", "last")),
    _f("full_name", _("Full name (split into first and last)"), "full_name", column="",
       aliases=("name", "fullname", "contactname", "contact")),
    _f("phone", _("Phone"), "phone", max_length=40,
       aliases=("phone", "phonenumber", "businessphone", "workphone", "officephone",
                "telephone", "tel")),
    _f("mobile_phone", _("Mobile phone"), "phone", max_length=40,
       aliases=("mobile", "mobilephone", "mobilephonenumber", "cell", "cellphone",
                "mobilenumber")),
    _f("job_title", _("Job title"), "text", max_length=160,
       aliases=("jobtitle", "title", "position", "role", "designation")),
    _f("city", _("City"), "text", max_length=120,
       aliases=("city", "mailingcity", "citymailing", "town")),
    _f("country", _("Country"), "text", max_length=120,
       aliases=("country", "countryregion", "mailingcountry", "countrymailing")),
    # HubSpot exports "Time Zone" (hs_timezone) and the inferred "IP Timezone".
    _f("time_zone", _("Time zone"), "time_zone", max_length=64,
       aliases=("timezone", "tz", "hstimezone", "iptimezone", "contacttimezone")),
    *_LEAD_FIELDS,
    _f("owner", _("Owner"), "owner", column="owner_id",
       aliases=("owner", "contactowner", "contactownername", "hubspotowner", "recordowner",
                "ownername", "ownerid", "contactowneremail")),
    _f("created_at", _("Created"), "datetime",
       aliases=("createdate", "createddate", "createdtime", "datecreated", "createdat",
                "created", "createdon")),
    _f("company.name", _("Company name"), "company_name", column="",
       aliases=("companyname", "company", "accountname", "associatedcompany",
                "organization", "organisation", "employer")),
    _f("company.domain", _("Company domain"), "domain", column="",
       aliases=("companydomain", "companydomainname", "companywebsite")),
    _f("id", _("Clarion record ID"), "id", column="id", aliases=("clarionid",)),
)

COMPANY_FIELDS = (
    _f("name", _("Name"), "text", max_length=255,
       aliases=("name", "companyname", "accountname", "company", "organization",
                "organisation")),
    _f("domain", _("Domain"), "domain", max_length=255,
       aliases=("domain", "companydomainname", "domainname", "website", "websiteurl",
                "companydomain", "web")),
    _f("industry", _("Industry"), "text", max_length=120, aliases=("industry",)),
    _f("phone", _("Phone"), "phone", max_length=40,
       aliases=("phone", "phonenumber", "billingphone", "mainphone", "telephone")),
    _f("city", _("City"), "text", max_length=120,
       aliases=("city", "billingcity", "citybilling")),
    _f("country", _("Country"), "text", max_length=120,
       aliases=("country", "countryregion", "billingcountry", "countrybilling")),
    _f("employees", _("Employees"), "integer",
       aliases=("employees", "numberofemployees", "employeecount", "headcount")),
    _f("annual_revenue", _("Annual revenue"), "decimal",
       aliases=("annualrevenue", "revenue")),
    *_LEAD_FIELDS,
    _f("owner", _("Owner"), "owner", column="owner_id",
       aliases=("owner", "companyowner", "accountowner", "recordowner", "ownername",
                "hubspotowner")),
    _f("created_at", _("Created"), "datetime",
       aliases=("createdate", "createddate", "createdtime", "datecreated", "createdat",
                "created")),
    _f("id", _("Clarion record ID"), "id", column="id", aliases=("clarionid",)),
)

DEAL_FIELDS = (
    _f("name", _("Name"), "text", max_length=255,
       aliases=("name", "dealname", "opportunityname", "deal", "opportunity")),
    _f("amount", _("Amount"), "decimal", aliases=("amount", "dealamount", "value")),
    _f("currency", _("Currency"), "currency",
       aliases=("currency", "currencycode", "dealcurrencycode", "opportunitycurrency")),
    _f("pipeline", _("Pipeline"), "pipeline", column="pipeline_id", aliases=("pipeline",)),
    _f("stage", _("Stage"), "stage", column="stage_id",
       aliases=("stage", "dealstage", "salesstage")),
    _f("close_date", _("Close date"), "date",
       aliases=("closedate", "closingdate", "expectedclosedate")),
    _f("owner", _("Owner"), "owner", column="owner_id",
       aliases=("owner", "dealowner", "opportunityowner", "recordowner", "ownername")),
    _f("created_at", _("Created"), "datetime",
       aliases=("createdate", "createddate", "createdtime", "datecreated", "createdat")),
    _f("company.name", _("Company name"), "company_name", column="",
       aliases=("companyname", "accountname", "associatedcompany", "company")),
    _f("id", _("Clarion record ID"), "id", column="id", aliases=("clarionid",)),
)

CORE_FIELDS = {"contact": CONTACT_FIELDS, "company": COMPANY_FIELDS, "deal": DEAL_FIELDS,
               "contact+company": CONTACT_FIELDS}


def record_type(object_type: str) -> str:
    """The record type whose rows the file holds ("contact+company" files hold contacts)."""
    return "contact" if object_type == "contact+company" else object_type


def normalize(header: str) -> str:
    return re.sub(r"[^0-9a-z\u00c0-\uffff]+", "", header.lower())


def fields_for(object_type: str) -> dict[str, ImportField]:
    """Every field a column of this import may be mapped to, core fields then custom
    properties (active definitions of the record type), by name."""
    fields = {f.name: f for f in CORE_FIELDS[object_type]}
    definitions = PropertyDefinition.objects.filter(object_type=record_type(object_type),
                                                    archived=False)
    for definition in definitions:
        if definition.name in fields:
            continue
        fields[definition.name] = ImportField(
            definition.name, definition.label, "property", "",
            aliases=(normalize(definition.label), normalize(definition.name)),
            definition=definition)
    return fields


def suggest(headers: list[str], object_type: str) -> dict[str, str]:
    """{header: field name or ""}. Exact alias matches first; a field already taken by an
    earlier column is not given twice (the first "Phone" wins over "Phone (2)")."""
    fields = fields_for(object_type)
    by_alias: dict[str, str] = {}
    # Core fields come first, so their aliases win over a custom property's label.
    for candidate in fields.values():
        for alias in candidate.aliases:
            by_alias.setdefault(alias, candidate.name)
    mapping, taken = {}, set()
    for header in headers:
        name = by_alias.get(normalize(header), "")
        if name in taken:
            name = ""
        mapping[header] = name
        if name:
            taken.add(name)
    return mapping
