import pytest

from clarion.api.services import create_api_key


@pytest.fixture
def make_key():
    """make_key(user, *scopes) -> the full secret of a new key."""

    def make(user, *scopes: str, name: str = "Test key") -> str:
        _key, secret = create_api_key(user=user, name=name, scopes=list(scopes))
        return secret

    return make


@pytest.fixture
def admin_key(admin_user, make_key):
    return make_key(admin_user, "users:read")


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
