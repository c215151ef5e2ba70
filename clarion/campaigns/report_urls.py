"""The campaign report pages, under the campaign's own address."""

from django.urls import path

from clarion.campaigns import report_views

app_name = "campaign_reports"

urlpatterns = [
    path("email/campaigns/<int:pk>/report/", report_views.report, name="report"),
    path("email/campaigns/<int:pk>/report/contacts/", report_views.contacts, name="contacts"),
    path("email/campaigns/<int:pk>/report/contacts/export/", report_views.export_contacts,
         name="export"),
    path("email/campaigns/<int:pk>/report/contacts/<int:contact_pk>/", report_views.trace,
         name="trace"),
    path("email/campaigns/for-contact/<int:contact_pk>/", report_views.contact_messages,
         name="contact_messages"),
]
