"""Fixtures for collaboration tests: colleagues, a contact at a company with a deal, and a
storage folder of the test's own (so uploads never reach the real data folder)."""

import pytest

from clarion.accounts.services import create_user
from tests.browser.conftest import browser, live_url, page  # noqa: F401  (browser tests)
from tests.crm.api_support import make_company, make_contact, make_deal, pipeline  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pat(roles):
    """A second sales rep: sees all contacts and companies, only their own deals."""
    return create_user(email="pat@example.com", password="correct horse battery",
                       first_name="Pat", last_name="Lee", role=roles["Sales"])


@pytest.fixture
def reader(roles):
    return create_user(email="rita@example.com", password="correct horse battery",
                       first_name="Rita", role=roles["Read-only"])


@pytest.fixture
def company(sales_user):
    return make_company(sales_user, name="Acme", domain="acme.example.com")


@pytest.fixture
def contact(sales_user, company):
    return make_contact(sales_user, first_name="Grace", last_name="Hopper",
                        email="grace@example.com", company=company)


@pytest.fixture
def deal(sales_user, pipeline, company):  # noqa: F811
    return make_deal(sales_user, pipeline, name="Acme renewal", company=company)
