import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_is_public_and_loads_nothing_from_other_hosts(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html) == []
    assert not re.search(r"https?://(?!testserver)", html)
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


def test_the_docs_assets_are_served_locally(client):
    html = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))["']""", html)

    assert assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_schema_declares_the_bearer_scheme_on_protected_operations(client):
    schema = client.get("/api/v1/openapi.json").json()

    schemes = schema["components"]["securitySchemes"]
    assert schemes["APIKeyAuth"] == {"type": "http", "scheme": "bearer",
                                     "bearerFormat": "clk_…",
                                     "description": schemes["APIKeyAuth"]["description"]}
    assert schema["paths"]["/api/v1/users"]["get"]["security"] == [{"APIKeyAuth": []}]
