"""The "Share with a guest" card on record pages, the invitation email and the audit log."""

import pytest
from django.core import mail
from django.urls import reverse

from clarion.accounts.models import AuditEntry, GuestGrant, User

pytestmark = pytest.mark.django_db


def share_url(deal) -> str:
    return reverse("notifications:guest_share", args=["deal", deal.pk])


def test_the_record_page_offers_sharing_to_someone_who_may_edit(admin_client, shared_deal):
    page = admin_client.get(shared_deal.get_absolute_url()).content.decode()

    assert "Share with a guest" in page


def test_the_card_is_hidden_from_someone_who_may_only_view(client, sales_user, shared_deal):
    sales_user.role.capabilities = [*sales_user.role.capabilities, "deals.view_all"]
    sales_user.role.save()
    client.force_login(sales_user)

    page = client.get(shared_deal.get_absolute_url())

    assert page.status_code == 200
    assert b"Share with a guest" not in page.content
    assert client.post(share_url(shared_deal), {"email": "a@example.com"}).status_code == 403


def test_sharing_creates_the_guest_and_emails_a_password_link(
        admin_client, shared_deal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(share_url(shared_deal),
                                     {"email": "Agency@Example.com", "first_name": "Gia"})

    assert response.status_code == 302
    guest = User.objects.get(email="agency@example.com")
    assert guest.is_guest and guest.role is None and not guest.has_usable_password()
    assert GuestGrant.objects.filter(user=guest, target_id=shared_deal.pk).exists()
    assert mail.outbox[0].to == ["agency@example.com"]
    assert "Website relaunch" in mail.outbox[0].body
    assert "/accounts/password-reset/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="granted", target_id=shared_deal.pk).exists()


def test_sharing_again_with_an_existing_guest_reuses_the_account(
        admin_client, guest, other_deal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(share_url(other_deal), {"email": guest.email})

    assert User.objects.filter(email=guest.email).count() == 1
    assert guest.guest_grants.filter(revoked_at__isnull=True).count() == 2
    assert "/accounts/login/" in mail.outbox[-1].body
    assert guest.notifications.get().title == "Ada shared “Acquisition talks” with you"


def test_the_card_lists_guests_and_removes_access(admin_client, guest_grant, shared_deal):
    page = admin_client.get(shared_deal.get_absolute_url()).content.decode()
    assert "designer@example.com" in page

    response = admin_client.post(reverse("notifications:guest_revoke", args=[guest_grant.pk]),
                                 follow=True)

    guest_grant.refresh_from_db()
    assert guest_grant.revoked_at is not None
    card = next(panel for panel in response.context["panels"]["side"]
                if panel["name"] == "guests")
    assert card["context"]["grants"] == []


def test_the_audit_log_page_lists_entries_for_admins_only(admin_client, client, sales_user,
                                                          guest_grant,
                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("notifications:audit_log"))
    assert response.status_code == 200
    assert "Access shared" in response.content.decode()

    client.force_login(sales_user)
    assert client.get(reverse("notifications:audit_log")).status_code == 403


def test_the_demo_guest_is_loaded_once(admin_user, shared_deal):
    from clarion.notifications.demo import load_demo

    assert "guest@example.com" in load_demo([admin_user])
    assert load_demo([admin_user]) == ""
    guest = User.objects.get(email="guest@example.com")
    assert guest.is_guest and guest.has_usable_password()
