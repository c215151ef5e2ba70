import base64
import json

import pytest

from clarion.accounts.models import Team
from clarion.accounts.services import create_user
from clarion.api.pagination import encode_cursor
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_users(roles):
    sales = Team.objects.create(name="Sales")
    for number in range(7):
        create_user(email=f"user{number}@example.com", password=None, role=roles["Sales"],
                    teams=[sales])


def test_users_are_listed_page_by_page_until_next_is_null(client, admin_key, many_users):
    emails, cursor, pages = [], "", 0
    while True:
        response = client.get(f"/api/v1/users?limit=3&cursor={cursor}", **bearer(admin_key))
        assert response.status_code == 200
        body = response.json()
        emails += [user["email"] for user in body["results"]]
        pages += 1
        if body["next"] is None:
            break
        cursor = body["next"]

    assert pages == 3
    assert emails == sorted(emails)
    assert len(emails) == len(set(emails)) == 8  # seven users and the admin


def test_a_page_reads_the_same_number_of_queries_whatever_its_size(
        client, admin_key, many_users, django_assert_num_queries):
    client.get("/api/v1/me", **bearer(admin_key))  # records last use, once a minute
    # key lookup + users page + their teams (prefetched)
    with django_assert_num_queries(3):
        small = client.get("/api/v1/users?limit=2", **bearer(admin_key)).json()
    with django_assert_num_queries(3):
        large = client.get("/api/v1/users?limit=100", **bearer(admin_key)).json()

    assert len(small["results"]) == 2 and len(large["results"]) == 8
    assert large["results"][1]["teams"] == ["Sales"]


def test_a_new_row_before_the_cursor_does_not_shift_the_next_page(client, admin_key,
                                                                  many_users, roles):
    first = client.get("/api/v1/users?limit=3", **bearer(admin_key)).json()
    create_user(email="aaa@example.com", password=None, role=roles["Sales"])

    second = client.get(f"/api/v1/users?limit=3&cursor={first['next']}",
                        **bearer(admin_key)).json()

    assert second["results"][0]["email"] > first["results"][-1]["email"]
    assert "aaa@example.com" not in [user["email"] for user in second["results"]]


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", encode_cursor("x", None)[:-3],
                                    encode_cursor("x", "not-an-id")])
def test_a_malformed_cursor_answers_422(client, admin_key, cursor):
    response = client.get(f"/api/v1/users?cursor={cursor}", **bearer(admin_key))

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.cursor"


def forged(cursor: str, value) -> str:
    """The cursor with its payload replaced and the signature kept."""
    payload, signature = cursor.rsplit(":", 1)
    raw = base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{raw}:{signature}"


def test_a_cursor_with_forged_sort_values_answers_422(client, admin_key, many_users):
    issued = client.get("/api/v1/users?limit=3", **bearer(admin_key)).json()["next"]

    response = client.get(f"/api/v1/users?cursor={forged(issued, ['a', 1])}",
                          **bearer(admin_key))

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.cursor"


def test_an_unsigned_cursor_of_the_old_shape_answers_422(client, admin_key, many_users):
    unsigned = base64.urlsafe_b64encode(b'["user3@example.com",4]').decode().rstrip("=")

    assert client.get(f"/api/v1/users?cursor={unsigned}", **bearer(admin_key)).status_code \
        == 422
