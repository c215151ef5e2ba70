import json

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v2/", "/api/"])
def test_an_unknown_api_route_answers_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_answers_a_json_405_with_allow(client, admin_key):
    response = client.delete("/api/v1/me", **bearer(admin_key))

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_invalid_query_parameters_answer_422_with_field_paths(client, admin_key):
    response = client.get("/api/v1/users?limit=500", **bearer(admin_key))

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"] == "query.limit"


def test_a_401_has_the_error_shape(client):
    assert error_of(client.get("/api/v1/users"))["code"] == "not_authenticated"


@pytest.mark.urls("tests.api.probe_urls")
def test_invalid_body_fields_answer_422_with_field_paths(client, admin_key):
    response = client.post("/api/probe/things", json.dumps({"name": "x", "size": "big"}),
                           content_type="application/json", **bearer(admin_key))

    assert response.status_code == 422
    assert error_of(response)["details"][0]["field"] == "body.thing.size"


@pytest.mark.urls("tests.api.probe_urls")
def test_a_malformed_json_body_answers_400_with_a_clear_message(client, admin_key):
    response = client.post("/api/probe/things", "{not json", content_type="application/json",
                           **bearer(admin_key))

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request"
    assert "JSON" in error["message"]


@pytest.mark.urls("tests.api.probe_urls")
def test_an_unexpected_exception_answers_500_without_leaking_details(client, admin_key,
                                                                     caplog):
    response = client.get("/api/probe/boom", **bearer(admin_key))

    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
    assert "secret internals" in caplog.text


@pytest.mark.urls("tests.api.probe_urls")
def test_a_schema_an_endpoint_validates_itself_answers_422(client, admin_key):
    response = client.post("/api/probe/validate", **bearer(admin_key))

    assert response.status_code == 422
    assert error_of(response)["details"][0]["field"] == "size"


@pytest.mark.urls("tests.api.probe_urls")
def test_a_service_refusal_answers_422_with_its_message(client, admin_key):
    response = client.post("/api/probe/refuse", **bearer(admin_key))

    assert response.status_code == 422
    error = error_of(response)
    assert error["message"] == "This email is already taken."
    assert error["details"] == [{"field": "email", "message": "This email is already taken.",
                                 "type": "invalid"}]
