import pytest

from clarion.accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admins_see_attempts_with_their_reasons(admin_client):
    LoginAttempt.objects.create(email="sam@example.com", ip_address="192.0.2.4",
                                reason="bad_totp")

    page = admin_client.get("/settings/sign-in-log/").text

    assert "sam@example.com" in page and "192.0.2.4" in page and "Wrong two-factor code" in page


def test_the_log_filters_by_email(admin_client):
    LoginAttempt.objects.create(email="sam@example.com", reason="bad_password")
    LoginAttempt.objects.create(email="mia@example.com", reason="bad_password")

    page = admin_client.get("/settings/sign-in-log/?email=mia").text

    assert "mia@example.com" in page and "sam@example.com" not in page


def test_the_log_shows_the_latest_200(admin_client):
    LoginAttempt.objects.bulk_create(LoginAttempt(email=f"p{n}@example.com", reason="x")
                                     for n in range(250))

    page = admin_client.get("/settings/sign-in-log/").text

    assert page.count("<tr>") == 201
