"""Shipped role names and descriptions, and capability labels, follow the reader's language."""

from unittest import mock

import pytest
from django.utils import translation

from clarion.accounts.models import Role
from clarion.core.capabilities import CAPABILITIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """Translate the given msgids (and nothing else) while the test runs."""
    entries: dict[str, str] = {}
    translation.gettext("")  # make sure the translation backend is loaded
    real = translation._trans.gettext
    with mock.patch.object(translation._trans, "gettext",
                           lambda message: entries.get(message) or real(message)):
        yield entries


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_shipped_role_name_is_shown_translated(catalogue, roles):
    catalogue["Sales manager"] = "销售经理"

    assert roles["Sales manager"].display_name == "销售经理"
    assert str(roles["Sales manager"]) == "销售经理"
    assert roles["Sales manager"].name == "Sales manager"


def test_a_renamed_role_shows_its_own_name(catalogue):
    catalogue["Sales"] = "销售"

    assert Role(name="Sales East").display_name == "Sales East"


def test_the_shipped_roles_have_descriptions(roles):
    assert all(role.description for role in roles.values())
    assert roles["Admin"].description == "Every capability."


def test_a_shipped_description_is_translated_until_it_is_edited(catalogue, roles):
    catalogue["Every capability."] = "所有权限。"
    admin = roles["Admin"]

    assert admin.display_description == "所有权限。"
    admin.description = "Our own words"
    assert admin.display_description == "Our own words"


def test_the_roles_page_shows_translated_names_and_descriptions(catalogue, admin_client):
    catalogue.update({"Read-only": "只读", "Views all records and reports; changes nothing.":
                      "查看所有记录和报表；不能修改。"})

    page = admin_client.get("/settings/roles/").text

    assert "只读" in page and "查看所有记录和报表；不能修改。" in page


def test_capability_labels_use_a_translatable_pattern(catalogue):
    catalogue.update({"{area}: {action}": "{action} · {area}",
                      "{verb} ({scope})": "{verb}【{scope}】"})

    assert str(CAPABILITIES["contacts.view_own"]) == "View【own records】 · Contacts"
    assert str(CAPABILITIES["deals.delete"]) == "Delete · Deals"


def test_the_role_form_shows_capabilities_without_their_area(catalogue, admin_client):
    catalogue["{area}: {action}"] = "{action} · {area}"

    page = admin_client.get("/settings/roles/new/").text

    assert "View (own records)" in page and "View (own records) · Contacts" not in page
