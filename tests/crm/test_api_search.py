import pytest

from tests.crm.api_support import *  # noqa: F403  (fixtures)
from tests.crm.api_support import key_for, make_contact, make_deal

pytestmark = pytest.mark.django_db


def _search(client, headers, body, path="/api/v1/contacts/search"):
    return client.post(path, body, content_type="application/json", **headers)


def test_contacts_are_searched_with_a_filter_tree(client, admin_user, admin_headers):
    make_contact(admin_user, email="ann@acme.com", lifecycle_stage="lead")
    make_contact(admin_user, email="bob@acme.com", lifecycle_stage="customer")
    make_contact(admin_user, email="cy@other.com", lifecycle_stage="lead")
    tree = {"all": [{"property": "email", "op": "ends_with", "value": "@acme.com"},
                    {"property": "lifecycle_stage", "op": "eq", "value": "lead"}]}

    body = _search(client, admin_headers, {"filter": tree}).json()

    assert [c["email"] for c in body["results"]] == ["ann@acme.com"]


def test_search_results_are_sorted_and_paged(client, admin_user, admin_headers):
    for letter in "cab":
        make_contact(admin_user, email=f"{letter}@example.com")

    first = _search(client, admin_headers, {"sort": "email", "limit": 2}).json()
    second = _search(client, admin_headers, {"sort": "email", "limit": 2,
                                             "cursor": first["next"]}).json()

    assert [c["email"] for c in first["results"] + second["results"]] == [
        "a@example.com", "b@example.com", "c@example.com"]


def test_a_filter_naming_an_unknown_field_is_a_422_that_names_it(client, admin_headers):
    tree = {"all": [{"property": "emial", "op": "eq", "value": "x"}]}

    response = _search(client, admin_headers, {"filter": tree})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"].startswith("body.filter")
    assert "emial" in error["details"][0]["message"]


def test_an_unknown_sort_field_is_refused(client, admin_headers):
    response = _search(client, admin_headers, {"sort": "password"})

    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.sort"


def test_search_only_finds_deals_the_user_may_see(client, sales_user, other_sales_user,
                                                 pipeline):
    make_deal(other_sales_user, pipeline, name="Secret rollout")
    mine = make_deal(sales_user, pipeline, name="My rollout")
    tree = {"property": "name", "op": "contains", "value": "rollout"}

    body = _search(client, key_for(sales_user), {"filter": tree},
                   path="/api/v1/deals/search").json()

    assert [deal["id"] for deal in body["results"]] == [mine.pk]


def test_a_search_page_costs_the_same_queries_whatever_its_size(
        client, admin_user, admin_headers, django_assert_max_num_queries):
    for number in range(6):
        make_contact(admin_user, email=f"p{number}@acme.com")
    tree = {"property": "email", "op": "ends_with", "value": "@acme.com"}
    _search(client, admin_headers, {"limit": 1})

    with django_assert_max_num_queries(3):  # the key, the property definitions, the page
        body = _search(client, admin_headers, {"filter": tree, "limit": 100}).json()

    assert len(body["results"]) == 6
