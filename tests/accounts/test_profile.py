import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_saving_the_profile_updates_name_and_language(client, sales_user):
    client.force_login(sales_user)

    response = client.post("/settings/security/profile/", {
        "first_name": "Samuel", "last_name": "Seller", "language": "zh-hans"})

    sales_user.refresh_from_db()
    assert (sales_user.first_name, sales_user.last_name, sales_user.language) == (
        "Samuel", "Seller", "zh-hans")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_an_unknown_language_is_a_form_error(client, sales_user):
    client.force_login(sales_user)

    response = client.post("/settings/security/profile/", {"language": "xx"})

    assert response.status_code == 400 and "Select a valid choice" in response.text


def test_settings_index_goes_to_security(client, sales_user):
    client.force_login(sales_user)

    assert client.get("/settings/").url == "/settings/security/"


def test_security_page_needs_sign_in(client, db):
    assert client.get("/settings/security/").url.startswith("/accounts/login/")
