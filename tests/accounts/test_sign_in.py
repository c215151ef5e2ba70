import pytest
from django.conf import settings

from clarion.accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db


def test_correct_password_signs_in_and_goes_home(client, sign_in, sales_user):
    response = sign_in("sam@example.com")

    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").wsgi_request.user == sales_user


def test_email_is_matched_case_insensitively(client, sign_in, sales_user):
    response = sign_in("  Sam@Example.COM ")

    assert response.status_code == 302


def test_wrong_password_says_email_or_password_is_wrong(sign_in, sales_user):
    response = sign_in("sam@example.com", "wrong")

    assert response.status_code == 200
    assert "The email address or password is not correct." in response.text


def test_unknown_email_gets_the_same_message_as_a_wrong_password(sign_in, db):
    response = sign_in("nobody@example.com", "whatever")

    assert "The email address or password is not correct." in response.text


def test_deactivated_account_is_told_so_once_the_password_is_right(sign_in, sales_user):
    sales_user.is_active = False
    sales_user.save()

    response = sign_in("sam@example.com")

    assert "This account has been deactivated" in response.text
    assert LoginAttempt.objects.get().reason == "inactive"


def test_every_attempt_is_logged_with_its_outcome_and_ip(sign_in, sales_user):
    sign_in("sam@example.com", "wrong", REMOTE_ADDR="203.0.113.9")
    sign_in("nobody@example.com", "wrong", REMOTE_ADDR="203.0.113.9")
    sign_in("sam@example.com", REMOTE_ADDR="203.0.113.9")

    log = list(LoginAttempt.objects.order_by("at").values_list(
        "email", "succeeded", "reason", "ip_address"))
    assert log == [("sam@example.com", False, "bad_password", "203.0.113.9"),
                   ("nobody@example.com", False, "unknown_email", "203.0.113.9"),
                   ("sam@example.com", True, "", "203.0.113.9")]


def test_invalid_email_shows_a_field_error_not_a_500(sign_in, db):
    response = sign_in("not an email", "x")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text


def test_safe_next_url_is_followed_after_sign_in(client, sales_user):
    response = client.post("/accounts/login/?next=/settings/security/",
                           {"username": "sam@example.com", "password": "correct horse battery"})

    assert response.url == "/settings/security/"


def test_next_url_on_another_site_is_ignored(client, sales_user):
    response = client.post("/accounts/login/?next=https://evil.example.com/",
                           {"username": "sam@example.com", "password": "correct horse battery"})

    assert response.url == "/"


def test_sign_in_applies_the_users_language(client, sign_in, sales_user):
    sales_user.language = "zh-hans"
    sales_user.save()

    response = sign_in("sam@example.com")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_sign_out_is_a_post_and_ends_the_session(client, sales_user):
    client.force_login(sales_user)

    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")

    assert client.get("/").status_code == 302


def test_sign_in_page_renders_with_username_and_password_fields(client, db):
    response = client.get("/accounts/login/")

    assert 'name="username"' in response.text and 'name="password"' in response.text
