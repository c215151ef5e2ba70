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


@override_settings(CLARION_API_RATE_LIMIT=2)
def test_requests_with_invalid_keys_are_limited_per_client_address(client):
    guesses = [client.get("/api/v1/me", **bearer("clk_00000000_guessguessguessguess"),
                          REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    other = client.get("/api/v1/me", **bearer("clk_00000000_guessguessguessguess"),
                       REMOTE_ADDR="203.0.113.10")

    assert guesses == [401, 401, 429]
    assert other.status_code == 401


@override_settings(CLARION_API_RATE_LIMIT=1, CLARION_TRUSTED_PROXIES=["10.0.0.5"])
def test_behind_a_trusted_proxy_invalid_keys_count_against_the_forwarded_address(client):
    def guess(forwarded: str) -> int:
        return client.get("/api/v1/me", **bearer("garbage"), REMOTE_ADDR="10.0.0.5",
                          HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [guess("198.51.100.1"), guess("198.51.100.1")] == [401, 429]
    assert guess("198.51.100.2") == 401
