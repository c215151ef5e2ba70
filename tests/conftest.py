import pytest
from django.core.cache import cache

from clarion.accounts.services import create_user, ensure_default_roles


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache, so rate limits and throttles never carry over."""
    cache.clear()
    yield


@pytest.fixture
def roles(db):
    return ensure_default_roles()


@pytest.fixture
def admin_user(roles):
    return create_user(email="admin@example.com", password="correct horse battery",
                       first_name="Ada", role=roles["Admin"], is_admin=True)


@pytest.fixture
def sales_user(roles):
    return create_user(email="sam@example.com", password="correct horse battery",
                       first_name="Sam", role=roles["Sales"])


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])
