"""The exports page, the lists' Export action and downloads."""

import json

import pytest

from clarion.accounts.services import create_user
from clarion.crm.models import Contact
from clarion.integrations import exports
from clarion.integrations.models import ExportJob
from tests.integrations.export_support import as_dicts, csv_rows

pytestmark = pytest.mark.django_db
PAGE = "/exports/"
FROM_LIST = "/exports/from-list/?type=contact"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def download(client, job: ExportJob):
    return client.get(f"/exports/{job.pk}/download/")


def test_the_exports_page_needs_the_export_capability(client, sales_user):
    client.force_login(sales_user)

    assert client.get(PAGE).status_code == 403
    assert client.post(FROM_LIST, {"scope": "all"}).status_code == 403


def test_the_exports_page_lists_my_exports_in_few_queries(admin_client, admin_user,
                                                          django_assert_max_num_queries):
    for _ in range(5):
        exports.request_export(actor=admin_user, object_type="contact")

    with django_assert_max_num_queries(8):
        response = admin_client.get(PAGE)

    assert response.status_code == 200
    assert len(response.context["jobs"]) == 5


def test_the_table_polls_while_an_export_is_unfinished(admin_client, admin_user):
    job = exports.request_export(actor=admin_user, object_type="contact")

    assert 'hx-trigger="every 2s"' in admin_client.get(PAGE).content.decode()
    exports.run_export(job.pk)
    partial = admin_client.get(PAGE, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' not in partial
    assert f"/exports/{job.pk}/download/" in partial


def test_a_new_export_from_the_page_runs_and_downloads(admin_client,
                                                       django_capture_on_commit_callbacks):
    Contact.objects.create(email="ada@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PAGE, {"object_type": "contact", "format": "csv"})

    assert response.status_code == 302
    job = ExportJob.objects.get()
    file = download(admin_client, job)
    assert file["Content-Disposition"].startswith("attachment")
    assert [r["Email"] for r in as_dicts(csv_rows(b"".join(file.streaming_content)))] == [
        "ada@example.com"]


def test_a_segment_export_must_be_of_contacts(admin_client):
    from clarion.segments.models import Segment

    segment = Segment.objects.create(name="VIP")

    response = admin_client.post(PAGE, {"object_type": "deal", "segment": segment.pk,
                                        "format": "csv"})

    assert response.status_code == 200
    assert "Segments hold contacts" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_only_the_owner_may_download(client, admin_user, roles):
    job = exports.request_export(actor=admin_user, object_type="contact")
    exports.run_export(job.pk)
    colleague = create_user(email="col@example.com", password="correct horse battery",
                            role=roles["Admin"])
    client.force_login(colleague)

    assert download(client, job).status_code == 404


def test_an_unfinished_export_has_nothing_to_download(admin_client, admin_user):
    job = exports.request_export(actor=admin_user, object_type="contact")

    assert download(admin_client, job).status_code == 404


def test_the_list_offers_export_to_those_who_may(admin_client, client, sales_user):
    Contact.objects.create(email="ada@example.com")

    assert "list-action-export" in admin_client.get("/contacts/").content.decode()
    client.force_login(sales_user)
    assert "list-action-export" not in client.get("/contacts/").content.decode()


def test_exporting_ticked_rows_keeps_the_lists_filter_and_shown_columns(admin_client):
    ada = Contact.objects.create(email="ada@acme.com", city="Paris")
    Contact.objects.create(email="bob@acme.com")
    acme = {"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"}]}

    response = admin_client.post(FROM_LIST, {
        "filter": json.dumps(acme), "columns": "email,city", "ids": [ada.pk],
        "export_columns": "shown", "export_format": "xlsx"})

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.definition, job.record_ids, job.format) == (acme, [ada.pk], "xlsx")
    assert job.columns == ["first_name", "last_name", "email", "city"]


def test_exporting_all_matching_stores_the_filter_not_the_ids(admin_client):
    Contact.objects.create(email="ada@acme.com")

    admin_client.post(FROM_LIST, {"scope": "all", "columns": "email",
                                  "export_columns": "all", "export_format": "csv"})

    job = ExportJob.objects.get()
    assert (job.record_ids, job.columns) == ([], [])


def test_exporting_with_nothing_ticked_says_so(admin_client):
    response = admin_client.post(FROM_LIST, {"columns": "email"}, follow=True)

    assert "Tick the records to export" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_invalid_list_filter_is_reported(admin_client):
    response = admin_client.post(FROM_LIST, {"scope": "all", "filter": "{not json"},
                                 follow=True)

    assert "not valid JSON" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_home_page_polls_only_its_few_recent_exports(admin_client, admin_user):
    for _ in range(7):
        exports.request_export(actor=admin_user, object_type="contact")

    home = admin_client.get("/integrations/").content.decode()
    partial = admin_client.get(PAGE, {"limit": 5}, headers={"HX-Request": "true"})

    assert 'hx-get="/exports/?limit=5"' in home
    assert len(partial.context["jobs"]) == 5
