import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from clarion.accounts.models import Invitation, Team, User

pytestmark = pytest.mark.django_db

NEW_PERSON = {"first_name": "Nia", "last_name": "New", "password1": "a long good secret",
              "password2": "a long good secret"}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def sales_team(db):
    return Team.objects.create(name="Sales")


def invite(admin_client, roles, team, email="nia@example.com"):
    return admin_client.post("/settings/users/invite/", {
        "email": email, "role": roles["Sales"].pk, "teams": [team.pk]})


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/invite/[^\s/]+/)", message.body).group(1)


def test_inviting_emails_a_single_use_link_and_stores_only_its_hash(
        admin_client, roles, sales_team, settings):
    settings.SITE_URL = "https://crm.example.com"

    response = invite(admin_client, roles, sales_team)

    assert response.url == "/settings/users/"
    [message] = mail.outbox
    assert message.to == ["nia@example.com"]
    assert "https://crm.example.com/accounts/invite/" in message.body
    assert message.alternatives[0][1] == "text/html"
    token = link_path(message).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64


def test_the_invitee_sets_name_and_password_and_lands_signed_in(
        client, admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)
    path = link_path(mail.outbox[0])
    client.logout()

    response = client.post(path, NEW_PERSON)

    assert response.url == "/"
    nia = User.objects.get(email="nia@example.com")
    assert nia.get_full_name() == "Nia New" and nia.role == roles["Sales"]
    assert list(nia.teams.all()) == [sales_team]
    assert client.get("/").wsgi_request.user == nia


def test_a_used_invitation_is_refused_with_a_message(client, admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)
    path = link_path(mail.outbox[0])
    client.logout()
    client.post(path, NEW_PERSON)
    client.logout()

    response = client.get(path)

    assert response.status_code == 410
    assert "This invitation has already been used." in response.text


def test_an_invitation_expires_after_seven_days(client, admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=7, minutes=1))
    client.logout()

    response = client.post(link_path(mail.outbox[0]), NEW_PERSON)

    assert response.status_code == 410 and "This invitation has expired." in response.text
    assert not User.objects.filter(email="nia@example.com").exists()


def test_an_unknown_token_is_refused_with_a_message(client, db):
    response = client.get("/accounts/invite/not-a-real-token/")

    assert response.status_code == 410 and "This invitation link is not valid." in response.text


def test_mismatched_passwords_are_a_form_error(client, admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)
    client.logout()

    response = client.post(link_path(mail.outbox[0]),
                           {**NEW_PERSON, "password2": "something else"})

    assert "The two passwords don&#x27;t match." in response.text


def test_resending_replaces_the_link(client, admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)
    invitation = Invitation.objects.get()

    admin_client.post(f"/settings/users/invitations/{invitation.pk}/resend/")

    old, new = link_path(mail.outbox[0]), link_path(mail.outbox[1])
    client.logout()
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_revoking_makes_the_link_useless(client, admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)

    admin_client.post(f"/settings/users/invitations/{Invitation.objects.get().pk}/revoke/")

    client.logout()
    assert client.get(link_path(mail.outbox[0])).status_code == 410
    assert not Invitation.objects.exists()


def test_inviting_an_existing_user_is_refused(admin_client, roles, sales_team, sales_user):
    response = invite(admin_client, roles, sales_team, email="Sam@example.com")

    assert "sam@example.com already has an account." in response.text
    assert mail.outbox == []


def test_inviting_twice_says_to_resend(admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)

    response = invite(admin_client, roles, sales_team)

    assert "already has a pending invitation" in response.text


def test_pending_invitations_are_listed_for_admins(admin_client, roles, sales_team):
    invite(admin_client, roles, sales_team)

    page = admin_client.get("/settings/users/").text

    assert "nia@example.com" in page and "Pending invitations" in page


def test_a_sales_user_can_not_invite(client, sales_user, roles):
    client.force_login(sales_user)

    response = client.post("/settings/users/invite/", {"email": "x@example.com"})

    assert response.status_code == 403 and mail.outbox == []


def test_a_mail_server_failure_keeps_the_invitation_and_says_to_resend(
        admin_client, roles, sales_team):
    with mock.patch("django.core.mail.EmailMultiAlternatives.send",
                    side_effect=ConnectionRefusedError):
        response = invite(admin_client, roles, sales_team)

    assert response.url == "/settings/users/"
    page = admin_client.get(response.url).text
    assert "its email could not be sent" in page
    assert Invitation.objects.filter(email="nia@example.com").exists()
