"""Exports from HubSpot, Salesforce and Zoho CRM map themselves and import with no manual
step (the sample files are written in each vendor's standard export format)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase

from clarion.accounts.services import create_user
from clarion.crm.models import Company, Contact
from clarion.integrations import services

SAMPLES = Path(__file__).parent / "samples"

EXPECTED = {
    "hubspot_contacts.csv": {
        "First Name": "first_name", "Last Name": "last_name", "Email": "email",
        "Phone Number": "phone", "Mobile Phone Number": "mobile_phone",
        "Job Title": "job_title", "City": "city", "Country/Region": "country",
        "Lifecycle Stage": "lifecycle_stage", "Lead Status": "lead_status",
        "Contact owner": "owner", "Create Date": "created_at",
        "Company Name": "company.name", "Original Source": "original_source",
        "Time Zone": "time_zone", "Record ID": ""},
    "salesforce_contacts.csv": {
        "Account Name": "company.name", "First Name": "first_name", "Last Name": "last_name",
        "Title": "job_title", "Email": "email", "Phone": "phone", "Mobile": "mobile_phone",
        "Mailing City": "city", "Mailing Country": "country", "Lead Source":
        "original_source", "Contact Owner": "owner", "Created Date": "created_at",
        "Contact ID": ""},
    "zoho_contacts.csv": {
        "Contact Owner": "owner", "Lead Source": "original_source", "First Name": "first_name",
        "Last Name": "last_name", "Account Name": "company.name", "Email": "email",
        "Title": "job_title", "Phone": "phone", "Mobile": "mobile_phone",
        "Mailing City": "city", "Mailing Country": "country", "Created Time": "created_at",
        "Record Id": "", "Description": ""},
}


@pytest.fixture
def seller(roles):
    return create_user(email="sam.seller@example.com", password="correct horse battery",
                       first_name="Sam", last_name="Seller", role=roles["Admin"])


def upload(actor, name: str, object_type: str = "contact+company", match_by="email"):
    content = ContentFile((SAMPLES / name).read_bytes(), name=name)
    return services.create_import(actor=actor, file=content, name=name,
                                  object_type=object_type, match_by=match_by)


def run(job, actor):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.start_import(job, actor=actor)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vendor_contact_export_maps_itself_and_imports_every_row(seller, name):
    job = upload(seller, name)
    assert job.mapping == EXPECTED[name]
    job = run(job, seller)
    rows = len(job.sample)
    assert (job.created_count, job.failed_count, job.skipped_count) == (rows, 0, 0), \
        [e.reason for e in services.error_rows(job)]
    assert Contact.objects.filter(owner=seller).count() == rows
    assert Contact.objects.filter(company__isnull=False).count() == rows


def test_hubspot_values_become_clarion_values(seller):
    run(upload(seller, "hubspot_contacts.csv"), seller)
    maya = Contact.objects.get(email="maya.rodriguez@northwind.example.com")
    assert (maya.lifecycle_stage, maya.lead_status, maya.original_source, maya.phone) == \
        ("mql", "open", "organic_search", "+14155550132")
    assert maya.time_zone == "America/Los_Angeles"
    assert maya.company.name == "Northwind Traders"
    assert maya.created_at.year == 2024 and maya.created_at.month == 3
    # Two Contoso people share one new company.
    assert Company.objects.filter(name="Contoso").count() == 1


def test_salesforce_us_dates_and_lead_sources_are_read(seller):
    run(upload(seller, "salesforce_contacts.csv"), seller)
    rose = Contact.objects.get(email="rose.gonzalez@edge.example.com")
    assert (rose.created_at.month, rose.created_at.day) == (3, 14)
    assert rose.original_source == "form"
    assert rose.mobile_phone == "+15127579340"


def test_zoho_export_with_byte_order_mark_multiline_notes_and_chinese_names(seller):
    job = run(upload(seller, "zoho_contacts.csv"), seller)
    assert job.encoding == "utf-8-sig"
    assert job.headers[0] == "Record Id"
    wang = Contact.objects.get(email="wang.wei@xingchen.example.com")
    assert (wang.last_name, wang.first_name, wang.city) == ("王", "伟", "上海")
    assert wang.phone == "+862162103456"


def test_hubspot_company_export_imports_companies_matched_by_domain(seller):
    job = upload(seller, "hubspot_companies.csv", object_type="company", match_by="domain")
    assert job.mapping["Company Domain Name"] == "domain"
    assert job.mapping["Number of Employees"] == "employees"
    job = run(job, seller)
    assert (job.created_count, job.failed_count) == (3, 0)
    tailspin = Company.objects.get(name="Tailspin Toys")
    assert tailspin.domain == "tailspin.example.com"
    rerun = run(upload(seller, "hubspot_companies.csv", object_type="company",
                       match_by="domain"), seller)
    assert (rerun.created_count, rerun.updated_count, rerun.skipped_count) == (0, 0, 3)
