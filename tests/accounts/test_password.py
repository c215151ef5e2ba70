import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", message.body).group(1)


def test_reset_request_emails_a_link_in_text_and_html(client, sales_user, settings):
    settings.SITE_URL = "https://crm.example.com"

    response = client.post("/accounts/password-reset/", {"email": "sam@example.com"})

    assert response.url == "/accounts/password-reset/sent/"
    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert "https://crm.example.com/accounts/password-reset/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and reset_link(message) in html


def test_unknown_email_gets_the_same_answer_and_no_email(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})

    assert response.url == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_the_link_sets_a_new_password(client, sales_user):
    client.post("/accounts/password-reset/", {"email": "sam@example.com"})
    form_url = client.get(reset_link(mail.outbox[0])).url

    response = client.post(form_url, {"new_password1": "a brand new secret",
                                      "new_password2": "a brand new secret"})

    assert response.url == "/accounts/password-reset/done/"
    sales_user.refresh_from_db()
    assert sales_user.check_password("a brand new secret")


def test_a_used_link_is_refused_with_a_message(client, sales_user):
    client.post("/accounts/password-reset/", {"email": "sam@example.com"})
    link = reset_link(mail.outbox[0])
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": "a brand new secret",
                           "new_password2": "a brand new secret"})

    response = client.get(link, follow=True)

    assert "This password reset link is not valid" in response.text


def test_change_password_needs_the_old_one_and_keeps_you_signed_in(client, sales_user):
    client.force_login(sales_user)

    wrong = client.post("/settings/security/password/", {
        "old_password": "nope", "new_password1": "another fine secret",
        "new_password2": "another fine secret"})
    assert wrong.status_code == 400 and "Your old password was entered incorrectly" in wrong.text

    client.post("/settings/security/password/", {
        "old_password": "correct horse battery", "new_password1": "another fine secret",
        "new_password2": "another fine secret"})
    sales_user.refresh_from_db()
    assert sales_user.check_password("another fine secret")
    assert client.get("/settings/security/").status_code == 200
