import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(CLARION_API_RATE_LIMIT=3)
def test_a_key_over_its_rate_limit_gets_429_with_retry_after(client, admin_key):
    statuses = [client.get("/api/v1/me", **bearer(admin_key)).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me", **bearer(admin_key))
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


@override_settings(CLARION_API_RATE_LIMIT=2)
def test_each_key_has_its_own_limit(client, admin_user, make_key):
    first, second = make_key(admin_user), make_key(admin_user)
    for _ in range(2):
        client.get("/api/v1/me", **bearer(first))

    assert client.get("/api/v1/me", **bearer(first)).status_code == 429
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200
