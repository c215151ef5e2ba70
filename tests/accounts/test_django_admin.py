import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["user", "role", "team", "invitation", "apikey",
                                   "loginattempt"])
def test_each_accounts_model_has_a_working_admin_list(admin_client, model):
    assert admin_client.get(f"/admin/accounts/{model}/").status_code == 200


def test_the_user_admin_adds_people_by_email(admin_client):
    response = admin_client.post("/admin/accounts/user/add/", {
        "email": "new@example.com", "password1": "a long good secret",
        "password2": "a long good secret", "usable_password": "true"})

    assert response.status_code == 302


def test_the_user_admin_change_page_works(admin_client, sales_user):
    assert admin_client.get(f"/admin/accounts/user/{sales_user.pk}/change/").status_code == 200
