import re
import time
from unittest import mock

import pyotp
import pytest

from clarion.accounts import two_factor
from clarion.accounts.models import LoginAttempt, RecoveryCode
from tests.accounts.conftest import current_code

pytestmark = pytest.mark.django_db


def setup_secret(client) -> str:
    page = client.get("/settings/security/").text
    return re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_security_page_shows_a_qr_code_and_the_setup_key(client, sales_user):
    client.force_login(sales_user)

    page = client.get("/settings/security/").text

    assert '<svg role="img"' in page and "<title>" in page
    assert len(setup_secret(client)) == 32


def test_confirming_with_a_code_turns_two_factor_on_and_shows_ten_recovery_codes(
        client, sales_user):
    client.force_login(sales_user)
    secret = setup_secret(client)

    response = client.post("/settings/security/two-factor/enable/",
                           {"code": pyotp.TOTP(secret).now()})

    sales_user.refresh_from_db()
    assert sales_user.totp_enabled and sales_user.totp_secret == secret
    shown = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.text)
    assert len(shown) == 10
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {two_factor.hash_recovery_code(code) for code in shown}
    assert not any(code in stored for code in shown)


def test_a_wrong_confirmation_code_keeps_two_factor_off(client, sales_user):
    client.force_login(sales_user)
    setup_secret(client)

    response = client.post("/settings/security/two-factor/enable/", {"code": "000000"})

    assert response.status_code == 400 and "That code is not correct" in response.text
    sales_user.refresh_from_db()
    assert not sales_user.totp_enabled


def test_password_alone_does_not_sign_in_a_two_factor_user(client, sign_in, totp_user):
    response = sign_in("sam@example.com")

    assert response.url == "/accounts/login/code/"
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert not LoginAttempt.objects.filter(succeeded=True).exists()


def test_password_then_current_code_signs_in(client, sign_in, totp_user):
    sign_in("sam@example.com")

    response = client.post("/accounts/login/code/", {"code": current_code(totp_user)})

    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").wsgi_request.user == totp_user
    assert LoginAttempt.objects.filter(succeeded=True).count() == 1


def test_a_code_can_not_be_used_twice(client, sign_in, totp_user):
    code = current_code(totp_user)
    sign_in("sam@example.com")
    client.post("/accounts/login/code/", {"code": code})
    client.post("/accounts/logout/")
    sign_in("sam@example.com")

    response = client.post("/accounts/login/code/", {"code": code})

    assert "That code has already been used." in response.text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_wrong_code_is_refused_and_logged(client, sign_in, totp_user):
    sign_in("sam@example.com")

    response = client.post("/accounts/login/code/", {"code": "123456"})

    assert "That code is not correct." in response.text
    assert LoginAttempt.objects.latest("at").reason == "bad_totp"


def test_an_expired_code_says_it_has_expired(client, sign_in, totp_user):
    old_code = totp_user.totp.generate_otp(two_factor.current_step() - 5)
    if old_code in {totp_user.totp.generate_otp(two_factor.current_step() + d)
                    for d in (-1, 0, 1)}:
        pytest.skip("the old code happens to equal a current one")
    sign_in("sam@example.com")

    response = client.post("/accounts/login/code/", {"code": old_code})

    assert "That code has expired." in response.text


def test_a_recovery_code_works_exactly_once(client, sign_in, totp_user):
    code = totp_user.shown_recovery_codes[0]
    sign_in("sam@example.com")
    assert client.post("/accounts/login/code/", {"code": code.upper()}).status_code == 302
    client.post("/accounts/logout/")
    sign_in("sam@example.com")

    response = client.post("/accounts/login/code/", {"code": code})

    assert "That recovery code is not correct or has already been used." in response.text


def test_the_code_step_expires_after_five_minutes(client, sign_in, totp_user):
    sign_in("sam@example.com")

    with mock.patch("clarion.accounts.views.time.time", return_value=time.time() + 301):
        response = client.post("/accounts/login/code/", {"code": current_code(totp_user)},
                               follow=True)

    assert "Your sign-in took too long" in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_the_code_page_without_a_password_step_sends_you_to_sign_in(client, db):
    response = client.get("/accounts/login/code/")

    assert response.url == "/accounts/login/"


def test_wrong_codes_count_towards_the_throttle(client, sign_in, totp_user):
    sign_in("sam@example.com")
    for _ in range(5):
        client.post("/accounts/login/code/", {"code": "000000"})

    response = client.post("/accounts/login/code/", {"code": current_code(totp_user)})

    assert "Too many failed sign-in attempts" in response.text


def test_making_new_recovery_codes_retires_the_old_ones(client, totp_user):
    client.force_login(totp_user)

    response = client.post("/settings/security/two-factor/recovery-codes/",
                           {"recovery-password": "correct horse battery"})

    new_codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(totp_user.shown_recovery_codes)
    assert RecoveryCode.objects.filter(user=totp_user).count() == 10


def test_making_new_recovery_codes_needs_the_password(client, totp_user):
    client.force_login(totp_user)

    refused = client.post("/settings/security/two-factor/recovery-codes/",
                          {"recovery-password": "wrong"})

    assert refused.status_code == 400 and "The password is not correct." in refused.text
    stored = set(RecoveryCode.objects.filter(user=totp_user).values_list("code_hash", flat=True))
    assert stored == {two_factor.hash_recovery_code(code)
                      for code in totp_user.shown_recovery_codes}


def test_turning_two_factor_off_needs_the_password(client, totp_user):
    client.force_login(totp_user)

    refused = client.post("/settings/security/two-factor/disable/",
                          {"disable-password": "wrong"})
    totp_user.refresh_from_db()
    assert refused.status_code == 400 and "The password is not correct." in refused.text
    assert totp_user.totp_enabled

    client.post("/settings/security/two-factor/disable/",
                {"disable-password": "correct horse battery"})
    totp_user.refresh_from_db()
    assert not totp_user.totp_enabled and not totp_user.totp_secret
    assert not RecoveryCode.objects.filter(user=totp_user).exists()
