import logging
from unittest import mock

import pytest
from django.core import mail

from clarion.accounts.models import RecoveryCode
from clarion.core.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def reset(client, user):
    return client.post(f"/settings/users/{user.pk}/two-factor/reset/")


def test_an_admin_can_turn_off_someone_elses_two_factor(admin_client, totp_user):
    response = reset(admin_client, totp_user)

    totp_user.refresh_from_db()
    assert response.url == f"/settings/users/{totp_user.pk}/"
    assert not totp_user.totp_enabled and not totp_user.totp_secret
    assert totp_user.totp_last_step == 0
    assert not RecoveryCode.objects.filter(user=totp_user).exists()


def test_the_person_is_told_by_email(admin_client, totp_user):
    reset(admin_client, totp_user)

    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert "Two-factor authentication was turned off" in message.subject
    assert "Ada turned off two-factor authentication" in message.body


def test_the_reset_is_logged_at_warning_and_recorded(admin_client, admin_user, totp_user,
                                                     caplog):
    with caplog.at_level(logging.WARNING, logger="clarion.accounts.services"):
        reset(admin_client, totp_user)

    assert any(record.levelno == logging.WARNING and "sam@example.com" in record.getMessage()
               and "admin@example.com" in record.getMessage() for record in caplog.records)
    event = Event.objects.get(kind="user.two_factor_reset")
    assert event.subject_id == totp_user.pk and event.actor_id == admin_user.pk


def test_an_admin_cannot_reset_their_own_two_factor_here(client, totp_user, roles):
    totp_user.role = roles["Admin"]
    totp_user.save()
    client.force_login(totp_user)

    response = client.post(f"/settings/users/{totp_user.pk}/two-factor/reset/", follow=True)

    totp_user.refresh_from_db()
    assert totp_user.totp_enabled
    assert "on your security page" in response.text


def test_resetting_needs_users_manage(client, totp_user, roles):
    from clarion.accounts.services import create_user
    other = create_user(email="other@example.com", password="x", role=roles["Sales"])
    client.force_login(other)

    assert reset(client, totp_user).status_code == 403
    totp_user.refresh_from_db()
    assert totp_user.totp_enabled


def test_resetting_is_a_post(admin_client, totp_user):
    assert admin_client.get(f"/settings/users/{totp_user.pk}/two-factor/reset/").status_code \
        == 405


def test_a_failed_notice_still_resets_and_warns_the_admin(admin_client, totp_user):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("down")):
        response = reset(admin_client, totp_user)

    totp_user.refresh_from_db()
    assert not totp_user.totp_enabled
    page = admin_client.get(response.url).text
    assert "could not be sent" in page


def test_the_user_page_offers_the_reset_with_a_confirmation(admin_client, totp_user):
    page = admin_client.get(f"/settings/users/{totp_user.pk}/").text

    assert f'action="/settings/users/{totp_user.pk}/two-factor/reset/"' in page
    assert "<dialog" in page


def test_the_own_user_page_points_to_the_security_page_instead(client, totp_user, roles):
    totp_user.role = roles["Admin"]
    totp_user.save()
    client.force_login(totp_user)

    page = client.get(f"/settings/users/{totp_user.pk}/").text

    assert "two-factor/reset/" not in page and 'href="/settings/security/"' in page
