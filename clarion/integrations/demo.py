"""Demo data: one finished import of a HubSpot contacts export, so the imports page has
something to show (its contacts, timeline entries and an error row included)."""

import csv
import io

from django.core.files.base import ContentFile

from clarion.integrations.models import ImportJob

DEMO_FILE_NAME = "hubspot-contacts-export.csv"
DEMO_ROWS = [
    ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Job Title", "City",
     "Country/Region", "Lifecycle Stage", "Lead Status", "Create Date", "Company Name"],
    ["7001", "Nora", "Lindqvist", "nora.lindqvist@fjord-analytics.example.com",
     "+46 8 123 456 78", "Head of Data", "Stockholm", "Sweden", "Marketing Qualified Lead",
     "Open", "2025-02-03 10:15", "Fjord Analytics"],
    ["7002", "Kwame", "Mensah", "kwame.mensah@fjord-analytics.example.com",
     "+46 8 123 456 79", "Data Engineer", "Stockholm", "Sweden", "Lead", "New",
     "2025-02-04 09:00", "Fjord Analytics"],
    ["7003", "Lucía", "Fernández", "lucia.fernandez@sol-retail.example.com",
     "+34 91 123 45 67", "Buyer", "Madrid", "Spain", "Customer", "Connected",
     "2024-11-20 14:30", "Sol Retail"],
    # An address without a domain: the import's error file shows it.
    ["7004", "Hiro", "Tanaka", "hiro.tanaka@bad-address", "", "CTO", "Osaka", "Japan",
     "Lead", "New", "2025-01-15 08:45", "Kansai Robotics"],
    ["7005", "Emma", "Clarke", "emma.clarke@sol-retail.example.com", "+44 20 7946 0321",
     "Partnerships", "London", "United Kingdom", "Subscriber", "", "2025-03-01 16:00",
     "Sol Retail"],
]


def _demo_file() -> ContentFile:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(DEMO_ROWS)
    return ContentFile(buffer.getvalue().encode("utf-8"))


def load_demo(people) -> str:
    """Import the demo file as the administrator; "" when it was imported before."""
    from clarion.integrations import services

    if ImportJob.objects.filter(original_name=DEMO_FILE_NAME).exists():
        return ""
    admin = next(person for person in people if person.is_superuser)
    job = services.create_import(actor=admin, file=_demo_file(),
                                 name=DEMO_FILE_NAME, object_type="contact+company")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    job.refresh_from_db()
    job = services.run_import(job)
    return (f"Demo import: {job.created_count} contacts created, {job.failed_count} row "
            f"with an error.")
