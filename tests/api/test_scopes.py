import pytest

from clarion.api.scopes import SCOPES, scopes_for_user
from clarion.api.services import InvalidScopes, create_api_key
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_a_key_without_the_endpoints_scope_gets_403(client, admin_user, make_key):
    secret = make_key(admin_user, "contacts:read")

    response = client.get("/api/v1/users", **bearer(secret))

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert "users:read" in error["message"]


def test_a_scope_does_not_lift_the_users_own_capabilities(client, roles, sales_user):
    # Written directly: the service refuses to grant a scope the user's role cannot use.
    from clarion.accounts.models import APIKey, hash_secret

    roles["Sales"].capabilities.append("api.manage")
    roles["Sales"].save()
    prefix, secret = APIKey.generate_secret()
    APIKey.objects.create(name="k", user=sales_user, prefix=prefix,
                          key_hash=hash_secret(secret), scopes=["users:read"])

    response = client.get("/api/v1/users", **bearer(secret))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_user_cannot_create_a_key_with_scopes_beyond_their_role(sales_user):
    with pytest.raises(InvalidScopes):
        create_api_key(user=sales_user, name="k", scopes=["users:read"])


def test_unknown_scopes_are_refused(admin_user):
    with pytest.raises(InvalidScopes):
        create_api_key(user=admin_user, name="k", scopes=["everything"])


def test_an_admin_may_use_every_scope_and_sales_only_its_areas(admin_user, sales_user):
    assert [scope.name for scope in scopes_for_user(admin_user)] == list(SCOPES)
    sales_scopes = {scope.name for scope in scopes_for_user(sales_user)}
    assert {"contacts:read", "deals:write"} <= sales_scopes
    assert "users:read" not in sales_scopes and "marketing:write" not in sales_scopes


def test_every_scope_is_read_or_write_of_an_area():
    for name in SCOPES:
        area, _, access = name.partition(":")
        assert area and access in {"read", "write"}
