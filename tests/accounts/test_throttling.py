import logging
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from clarion.accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed sign-in attempts. Try again in"


def fail(email: str, ip: str = "198.51.100.1", minutes_ago: float = 0, times: int = 1):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    LoginAttempt.objects.bulk_create(
        LoginAttempt(email=email, ip_address=ip, reason="bad_password", at=at)
        for _ in range(times))


def test_five_failures_for_an_email_lock_it(sign_in, sales_user):
    for _ in range(5):
        sign_in("sam@example.com", "wrong")

    response = sign_in("sam@example.com", "wrong")

    assert TOO_MANY in response.text and "15 minutes" in response.text


def test_a_throttled_correct_password_is_still_refused(client, sign_in, sales_user):
    fail("sam@example.com", times=5)

    response = sign_in("sam@example.com")

    assert response.status_code == 200 and TOO_MANY in response.text
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert LoginAttempt.objects.latest("at").reason == "throttled"


def test_the_wait_counts_down_from_the_oldest_failure_that_matters(sign_in, sales_user):
    fail("sam@example.com", minutes_ago=12, times=5)

    response = sign_in("sam@example.com")

    assert "Try again in 3 minutes." in response.text


def test_failures_older_than_fifteen_minutes_do_not_count(sign_in, sales_user):
    fail("sam@example.com", minutes_ago=16, times=5)

    assert sign_in("sam@example.com").status_code == 302


def test_four_failures_do_not_lock(sign_in, sales_user):
    fail("sam@example.com", times=4)

    assert sign_in("sam@example.com").status_code == 302


def test_a_successful_sign_in_clears_earlier_failures_for_that_email(sign_in, sales_user):
    fail("sam@example.com", minutes_ago=5, times=4)
    assert sign_in("sam@example.com").status_code == 302

    sign_in("sam@example.com", "wrong")

    assert sign_in("sam@example.com").status_code == 302


def test_twenty_failures_from_one_ip_lock_every_email_from_it(sign_in, sales_user):
    for number in range(20):
        fail(f"person{number}@example.com", ip="198.51.100.7")

    refused = sign_in("sam@example.com", REMOTE_ADDR="198.51.100.7")
    elsewhere = sign_in("sam@example.com", REMOTE_ADDR="198.51.100.8")

    assert TOO_MANY in refused.text
    assert elsewhere.status_code == 302


def test_a_throttled_attempt_is_logged_at_warning(sign_in, sales_user, caplog):
    fail("sam@example.com", times=5)

    with caplog.at_level(logging.WARNING, logger="clarion.accounts.throttle"):
        sign_in("sam@example.com")

    assert any(record.levelno == logging.WARNING and "sam@example.com" in record.getMessage()
               for record in caplog.records)


def test_refused_attempts_do_not_extend_the_lock(sign_in, sales_user):
    fail("sam@example.com", minutes_ago=14.5, times=5)
    for _ in range(3):
        sign_in("sam@example.com")

    response = sign_in("sam@example.com")

    assert "Try again in 1 minute." in response.text


@override_settings(CLARION_TRUSTED_PROXIES=["10.0.0.5"])
def test_behind_a_trusted_proxy_failures_count_against_the_forwarded_address(sign_in,
                                                                          sales_user):
    for number in range(20):
        fail(f"person{number}@example.com", ip="198.51.100.7")

    refused = sign_in("sam@example.com", REMOTE_ADDR="10.0.0.5",
                      HTTP_X_FORWARDED_FOR="198.51.100.7")
    elsewhere = sign_in("sam@example.com", REMOTE_ADDR="10.0.0.5",
                        HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert TOO_MANY in refused.text
    assert elsewhere.status_code == 302
