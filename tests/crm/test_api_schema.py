"""The CRM endpoints against their own OpenAPI schema (schemathesis): generated requests,
valid and not, never make the server fail, and every documented answer matches its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.crm.api_support import key_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/(contacts|companies|deals|pipelines|properties)")

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def admin_auth(admin_user):
    return key_for(admin_user)["HTTP_AUTHORIZATION"]


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Hundreds of generated requests in a minute must not use up a key's rate limit, nor
    leave counts in the cache for the tests after this one."""
    settings.CLARION_API_RATE_LIMIT = 0


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go straight to the WSGI app, which would close the test's database
    connection after each one; Django's test client disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_crm_endpoints_conform_to_their_schema(case, admin_auth):
    case.call_and_validate(headers={"Authorization": admin_auth}, checks=CHECKS)
