"""The exports API: start an export, follow it, download the file; scopes and ownership."""

import pytest

from clarion.crm.models import Contact
from clarion.integrations.models import ExportJob
from tests.crm.api_support import key_for
from tests.integrations.export_support import as_dicts, csv_rows

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports"


def start(client, headers, **body):
    return client.post(URL, {"object_type": "contact", **body}, content_type="application/json",
                       **headers)


def test_an_export_starts_runs_and_downloads(client, admin_user,
                                             django_capture_on_commit_callbacks):
    Contact.objects.create(email="ada@example.com", city="Paris")
    headers = key_for(admin_user, "contacts:read")

    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, headers, columns=["email", "city"],
                         filter={"property": "city", "op": "eq", "value": "Paris"})

    assert response.status_code == 202
    export_id = response.json()["id"]
    job = client.get(f"{URL}/{export_id}", **headers).json()
    assert (job["status"], job["row_count"]) == ("done", 1)
    assert job["file_url"].endswith(f"/api/v1/exports/{export_id}/file")
    file = client.get(f"{URL}/{export_id}/file", **headers)
    assert file["Content-Disposition"].startswith("attachment")
    rows = as_dicts(csv_rows(b"".join(file.streaming_content)))
    assert rows == [{"Clarion ID": str(Contact.objects.get().pk), "Email": "ada@example.com",
                     "City": "Paris"}]


def test_a_queued_export_has_no_file_yet(client, admin_user):
    headers = key_for(admin_user, "contacts:read")
    export_id = start(client, headers).json()["id"]

    response = client.get(f"{URL}/{export_id}/file", **headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"


def test_exporting_needs_the_record_types_read_scope(client, admin_user):
    headers = key_for(admin_user, "companies:read")

    response = start(client, headers)

    assert response.status_code == 403
    assert "contacts:read" in response.json()["error"]["message"]


def test_exporting_needs_the_export_capability(client, sales_user):
    response = start(client, key_for(sales_user, "contacts:read"))

    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_a_bad_filter_is_a_validation_error(client, admin_user):
    response = start(client, key_for(admin_user, "contacts:read"),
                     filter={"property": "emial", "op": "eq", "value": "x"})

    assert response.status_code == 422


def test_someone_elses_export_is_not_found(client, admin_user, roles):
    from clarion.accounts.services import create_user

    export_id = start(client, key_for(admin_user, "contacts:read")).json()["id"]
    other = create_user(email="o@example.com", password="correct horse battery",
                        role=roles["Admin"])
    headers = key_for(other, "contacts:read")

    assert client.get(f"{URL}/{export_id}", **headers).status_code == 404
    assert client.get(f"{URL}/{export_id}/file", **headers).status_code == 404


def test_my_exports_are_listed_newest_first_in_pages(client, admin_user,
                                                     django_assert_max_num_queries):
    headers = key_for(admin_user, "contacts:read")
    ids = [start(client, headers).json()["id"] for _ in range(3)]

    with django_assert_max_num_queries(8):
        first = client.get(URL, {"limit": 2}, **headers).json()
    second = client.get(URL, {"limit": 2, "cursor": first["next"]}, **headers).json()

    assert [job["id"] for job in first["results"] + second["results"]] == ids[::-1]
    assert second["next"] is None
