import pytest

from clarion.api.models import IdempotentRequest
from clarion.crm.models import Contact
from tests.crm.api_support import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


def test_a_retried_create_with_the_same_key_returns_the_first_record(client, admin_headers):
    send = lambda: client.post("/api/v1/contacts", {"email": "ann@example.com"},  # noqa: E731
                               content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="retry-1", **admin_headers)

    first, retry = send(), send()

    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert Contact.objects.count() == 1


def test_different_keys_create_different_records(client, admin_headers):
    for number, key in enumerate(("one", "two")):
        client.post("/api/v1/companies", {"name": f"Acme {number}"},
                    content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **admin_headers)

    assert IdempotentRequest.objects.count() == 2


def test_a_key_reused_for_another_endpoint_is_refused(client, admin_headers):
    client.post("/api/v1/companies", {"name": "Acme"}, content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="k", **admin_headers)

    response = client.post("/api/v1/contacts", {"email": "a@example.com"},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k",
                           **admin_headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "header.Idempotency-Key"
    assert not Contact.objects.exists()


def test_a_failed_create_stores_nothing_so_a_retry_runs_again(client, admin_headers):
    bad = client.post("/api/v1/companies", {"name": ""}, content_type="application/json",
                      HTTP_IDEMPOTENCY_KEY="k", **admin_headers)
    good = client.post("/api/v1/companies", {"name": "Acme"}, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="k", **admin_headers)

    assert bad.status_code == 422 and good.status_code == 201
