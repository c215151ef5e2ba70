import pytest

from clarion.accounts.models import APIKey, hash_secret
from clarion.api.services import create_api_key
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_page_lists_the_users_keys_with_prefix_and_scopes(admin_client, admin_user,
                                                               sales_user):
    create_api_key(user=admin_user, name="Website sync", scopes=["contacts:read"])
    create_api_key(user=sales_user, name="Someone else's", scopes=["contacts:read"])

    response = admin_client.get("/settings/api-keys/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Website sync" in html and "contacts:read" in html
    assert "Someone else" not in html


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(admin_client):
    response = admin_client.post("/settings/api-keys/new",
                                 {"name": "CI", "scopes": ["users:read", "contacts:read"]})

    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("clk_") and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    key = APIKey.objects.get()
    assert key.key_hash == hash_secret(secret) and secret not in str(key.__dict__)
    assert key.scopes == ["contacts:read", "users:read"]
    assert secret not in admin_client.get("/settings/api-keys/").content.decode()
    assert admin_client.get("/api/v1/users", **bearer(secret)).status_code == 200


def test_a_key_needs_a_name_and_a_scope(admin_client):
    response = admin_client.post("/settings/api-keys/new", {"name": ""})

    assert response.status_code == 422
    assert not APIKey.objects.exists()
    assert response.context["form"].errors.keys() == {"name", "scopes"}


def test_the_form_offers_only_scopes_the_users_role_allows(client, roles):
    from clarion.accounts.services import create_user

    marketer = create_user(email="mia@example.com", password=None, role=roles["Marketing"])
    roles["Marketing"].capabilities.append("api.manage")
    roles["Marketing"].save()
    client.force_login(marketer)

    response = client.post("/settings/api-keys/new", {"name": "x", "scopes": ["users:read"]})

    assert response.status_code == 422
    assert not APIKey.objects.exists()


def test_revoking_a_key_stops_it_at_once(admin_client, admin_user):
    key, secret = create_api_key(user=admin_user, name="Old", scopes=["users:read"])

    response = admin_client.post(f"/settings/api-keys/{key.pk}/revoke")

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert admin_client.get("/api/v1/me", **bearer(secret)).status_code == 401
    assert "Revoked" in admin_client.get("/settings/api-keys/").content.decode()


def test_nobody_can_revoke_another_users_key(admin_client, roles):
    from clarion.accounts.services import create_user

    other = create_user(email="o@example.com", password=None, role=roles["Admin"])
    key, _secret = create_api_key(user=other, name="Theirs", scopes=["users:read"])

    assert admin_client.post(f"/settings/api-keys/{key.pk}/revoke").status_code == 404


def test_a_sales_user_may_not_open_the_key_pages(client, sales_user):
    client.force_login(sales_user)

    assert client.get("/settings/api-keys/").status_code == 403
    assert client.post("/settings/api-keys/new", {"name": "x"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/settings/api-keys/")

    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_opening_the_new_key_address_leads_to_the_form(admin_client):
    response = admin_client.get("/settings/api-keys/new")

    assert response.status_code == 302
    assert response["Location"] == "/settings/api-keys/#new-key-title"
