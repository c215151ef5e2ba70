from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.accounts.models import APIKey, Role
from clarion.api.services import revoke_api_key
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_a_request_without_a_key_is_refused_with_401(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", ["clk_nothex00_abcdefghijklmnopqrstuvwxyz", "garbage",
                                   "clk_", "Basic dXNlcjpwYXNz"])
def test_a_malformed_key_is_refused_with_401(client, token):
    response = client.get("/api/v1/me", **bearer(token))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_key_with_a_known_prefix_but_wrong_secret_is_refused(client, admin_key):
    forged = admin_key[:-4] + ("AAAA" if not admin_key.endswith("AAAA") else "BBBB")

    assert client.get("/api/v1/me", **bearer(forged)).status_code == 401


def test_a_revoked_key_is_refused_with_401(client, admin_key):
    revoke_api_key(key=APIKey.objects.get())

    response = client.get("/api/v1/me", **bearer(admin_key))

    assert response.status_code == 401


def test_a_key_of_a_deactivated_user_is_refused_saying_so(client, admin_user, admin_key):
    admin_user.is_active = False
    admin_user.save()

    response = client.get("/api/v1/me", **bearer(admin_key))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API key's owner has been deactivated."


@pytest.fixture
def integrator(sales_user):
    """Sam, with a role that may read users through the API."""
    sales_user.role = Role.objects.create(name="Integrator",
                                          capabilities=["users.manage", "api.manage"])
    sales_user.save()
    return sales_user


def test_a_key_stops_working_when_its_owner_loses_api_manage(client, integrator, make_key):
    key = make_key(integrator, "users:read")
    Role.objects.filter(name="Integrator").update(capabilities=["users.manage"])

    response = client.get("/api/v1/me", **bearer(key))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == (
        "The API key's owner may no longer use the API.")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_works_again_when_api_manage_is_given_back(client, integrator, make_key):
    key = make_key(integrator, "users:read")
    Role.objects.filter(name="Integrator").update(capabilities=["users.manage"])
    client.get("/api/v1/me", **bearer(key))
    Role.objects.filter(name="Integrator").update(capabilities=["users.manage", "api.manage"])

    assert client.get("/api/v1/me", **bearer(key)).status_code == 200


def test_me_answers_with_the_keys_user_and_scopes(client, admin_key):
    response = client.get("/api/v1/me", **bearer(admin_key))

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "admin@example.com"
    assert body["key"]["scopes"] == ["users:read"]
    assert body["key"]["prefix"] == admin_key[4:12]


def test_the_key_is_also_accepted_in_the_x_api_key_header(client, admin_key):
    response = client.get("/api/v1/me", HTTP_X_API_KEY=admin_key)

    assert response.status_code == 200


def test_last_used_is_recorded_at_most_once_a_minute(client, admin_key,
                                                     django_assert_num_queries):
    client.get("/api/v1/me", **bearer(admin_key))
    first_use = APIKey.objects.get().last_used_at
    assert first_use is not None

    with django_assert_num_queries(2):  # the key lookup and the user's teams: no write
        client.get("/api/v1/me", **bearer(admin_key))
    assert APIKey.objects.get().last_used_at == first_use

    APIKey.objects.update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/api/v1/me", **bearer(admin_key))
    assert APIKey.objects.get().last_used_at > first_use - timedelta(minutes=1)
    assert APIKey.objects.get().last_used_at <= timezone.now()


def test_the_root_lists_links_to_docs_and_endpoints(client, admin_key):
    response = client.get("/api/v1/", **bearer(admin_key))

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Clarion"
    assert body["links"]["docs"].endswith("/api/v1/docs")
    assert body["links"]["users"].endswith("/api/v1/users")
