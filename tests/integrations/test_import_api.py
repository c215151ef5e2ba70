"""The imports API: upload, mapping, preview, start, progress, error rows, undo; scopes and
ownership."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from clarion.crm.models import Contact
from tests.crm.api_support import key_for

CSV = (b"Email,First Name,Lifecycle Stage\r\nada@example.com,Ada,lead\r\n"
       b"bad-email,Bob,lead\r\n")


def upload(client, headers, content=CSV, **fields):
    data = {"object_type": "contact", "file": SimpleUploadedFile("people.csv", content),
            **fields}
    return client.post("/api/v1/imports", data, **headers)


@pytest.fixture
def importer(admin_user):
    return key_for(admin_user, "contacts:write", "contacts:read")


def test_upload_returns_the_job_with_its_suggested_mapping(client, importer):
    response = upload(client, importer)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "uploaded"
    assert body["headers"] == ["Email", "First Name", "Lifecycle Stage"]
    assert body["mapping"] == {"Email": "email", "First Name": "first_name",
                               "Lifecycle Stage": "lifecycle_stage"}
    assert body["sample"][0] == ["ada@example.com", "Ada", "lead"]


def test_a_whole_import_through_the_api(client, importer):
    job_id = upload(client, importer).json()["id"]
    response = client.patch(f"/api/v1/imports/{job_id}/mapping",
                            {"mapping": {"Email": "email", "First Name": "first_name",
                                         "Lifecycle Stage": ""}},
                            content_type="application/json", **importer)
    assert response.status_code == 200
    preview = client.get(f"/api/v1/imports/{job_id}/preview", **importer).json()
    assert preview[0] == {"line": 2, "values": {"email": "ada@example.com",
                                                "first_name": "Ada"}, "errors": []}
    assert "not a valid email address" in preview[1]["errors"][0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/api/v1/imports/{job_id}/start", **importer)
    assert response.status_code == 202
    job = client.get(f"/api/v1/imports/{job_id}", **importer).json()
    assert (job["status"], job["created_count"], job["failed_count"]) == ("done", 1, 1)
    assert job["progress_percent"] == 100
    errors = client.get(f"/api/v1/imports/{job_id}/errors", **importer)
    text = b"".join(errors.streaming_content).decode()
    assert errors["Content-Type"].startswith("text/csv")
    assert "3,failed," in text and "bad-email" in text
    assert client.post(f"/api/v1/imports/{job_id}/undo", **importer).json()["status"] == \
        "undone"
    assert Contact.objects.count() == 0


def test_mapping_a_started_import_is_a_conflict(client, importer):
    job_id = upload(client, importer).json()["id"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/api/v1/imports/{job_id}/start", **importer)
    response = client.patch(f"/api/v1/imports/{job_id}/mapping", {"mapping": {}},
                            content_type="application/json", **importer)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_an_unknown_field_in_the_mapping_is_a_validation_error(client, importer):
    job_id = upload(client, importer).json()["id"]
    response = client.patch(f"/api/v1/imports/{job_id}/mapping",
                            {"mapping": {"Email": "emial"}},
                            content_type="application/json", **importer)
    assert response.status_code == 422
    assert "emial" in response.json()["error"]["message"]


def test_importing_needs_the_write_scope_of_the_records(client, admin_user):
    headers = key_for(admin_user, "contacts:read")
    response = upload(client, headers)
    assert response.status_code == 403
    assert "contacts:write" in response.json()["error"]["message"]


def test_importing_needs_the_import_capability(client, sales_user):
    headers = key_for(sales_user, "contacts:write")
    response = upload(client, headers)
    assert response.status_code == 403


def test_someone_elses_import_is_not_found(client, importer, roles):
    from clarion.accounts.services import create_user

    job_id = upload(client, importer).json()["id"]
    other = create_user(email="mia@example.com", password="correct horse battery",
                        first_name="Mia", role=roles["Marketing"])
    response = client.get(f"/api/v1/imports/{job_id}", **key_for(other, "contacts:write"))
    assert response.status_code == 404


def test_list_of_imports_is_paginated_without_extra_queries(client, importer,
                                                           django_assert_max_num_queries):
    for _ in range(3):
        upload(client, importer)
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/imports?limit=2", **importer).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(f"/api/v1/imports?limit=2&cursor={page['next']}", **importer).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
