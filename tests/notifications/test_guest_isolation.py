"""A guest invited to one deal opens that deal and nothing else, whatever id they try."""

import pytest
from django.urls import reverse

from clarion.accounts.guests import revoke_guest_access, share_with_guest
from clarion.accounts.models import AuditEntry
from clarion.core.permissions import can, has_capability, visible_to
from clarion.crm.models import Contact, Deal
from clarion.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_a_guest_sees_exactly_the_shared_deal(guest, shared_deal, other_deal):
    assert list(visible_to(guest, Deal.objects.all())) == [shared_deal]
    assert list(visible_to(guest, Deal.objects.all(), "edit")) == []
    assert can(guest, "view", shared_deal) and can(guest, "comment", shared_deal)
    assert not can(guest, "edit", shared_deal)
    assert not can(guest, "view", other_deal)
    assert not has_capability(guest, "deals.view_all")


def test_the_shared_deal_page_opens(guest_client, shared_deal):
    response = guest_client.get(shared_deal.get_absolute_url())

    assert response.status_code == 200
    assert b"Website relaunch" in response.content
    # Nothing on the page leads where a guest can't go: no list link, no task form.
    assert f'href="{reverse("crm:deal_list")}"'.encode() not in response.content
    assert reverse("tasks:new").encode() not in response.content


@pytest.mark.parametrize("suffix", ["", "timeline/", "edit/", "delete/"])
def test_another_deal_is_not_found_by_changing_the_id(guest_client, other_deal, suffix):
    response = guest_client.get(f"{other_deal.get_absolute_url()}{suffix}")

    assert response.status_code == 404


def test_the_shared_deal_cannot_be_edited_or_deleted(guest_client, shared_deal):
    assert guest_client.get(f"{shared_deal.get_absolute_url()}edit/").status_code == 403
    assert guest_client.post(f"{shared_deal.get_absolute_url()}delete/").status_code == 403
    assert Deal.objects.filter(pk=shared_deal.pk).exists()


def test_association_endpoints_refuse_a_guest(guest_client, shared_deal, other_deal,
                                              admin_user):
    contact = Contact.objects.create(email="c@example.com", owner=admin_user)
    for deal in (shared_deal, other_deal):
        response = guest_client.post(
            reverse("crm:deal_association_add", args=[deal.pk, "contacts"]),
            {"other": contact.pk})
        assert response.status_code in (403, 404)
        response = guest_client.post(
            reverse("crm:deal_association_remove", args=[deal.pk, "contacts", contact.pk]))
        assert response.status_code in (403, 404)
    assert not shared_deal.contacts.exists()


@pytest.mark.parametrize("url", [
    "/contacts/", "/companies/", "/deals/", "/contacts/new/", "/deals/board/",
    "/search/?q=Acq", "/search/suggest/?q=Acq", "/duplicates/contacts/", "/activity/",
    "/settings/users/", "/settings/audit-log/", "/settings/properties/", "/api/v1/deals",
    "/tasks/", "/tasks/new/", "/chat/", "/chat/1/", "/collab/people/?q=a", "/admin/",
    "/s/contacts/",
])
def test_workspace_pages_are_closed_to_a_guest(guest_client, url):
    assert guest_client.get(url).status_code == 404


def test_home_is_shared_with_me(guest_client, shared_deal, other_deal):
    response = guest_client.get("/", follow=True)

    assert response.request["PATH_INFO"] == reverse("notifications:shared_with_me")
    page = response.content.decode()
    assert "Website relaunch" in page and "Acquisition talks" not in page
    assert "Shared with me" in page
    assert 'href="/contacts/"' not in page


def test_merge_of_another_deal_is_refused(guest_client, shared_deal, other_deal):
    response = guest_client.post(f"/duplicates/deals/{shared_deal.pk}/merge/{other_deal.pk}/")

    assert response.status_code == 404
    assert Deal.objects.filter(pk=other_deal.pk).exists()


def test_someone_elses_notification_is_not_found_for_a_guest(guest_client, admin_user,
                                                             sales_user):
    theirs = notify(admin_user, "test.pinged", actor=sales_user, title="internal")

    assert guest_client.post(reverse("notifications:open", args=[theirs.pk])).status_code \
        == 404


def test_a_guest_cannot_share_or_revoke(guest_client, shared_deal, guest_grant):
    share = reverse("notifications:guest_share", args=["deal", shared_deal.pk])
    assert guest_client.post(share, {"email": "x@example.com"}).status_code == 404
    revoke = reverse("notifications:guest_revoke", args=[guest_grant.pk])
    assert guest_client.post(revoke).status_code == 404


def test_revoking_access_works_on_the_next_request(guest_client, guest_grant, shared_deal,
                                                   admin_user):
    assert guest_client.get(shared_deal.get_absolute_url()).status_code == 200

    revoke_guest_access(actor=admin_user, grant=guest_grant)

    assert guest_client.get(shared_deal.get_absolute_url()).status_code == 404
    assert b"Website relaunch" not in guest_client.get(
        reverse("notifications:shared_with_me")).content


def test_views_and_refusals_are_audited(guest_client, guest, shared_deal, other_deal):
    guest_client.get(shared_deal.get_absolute_url())
    guest_client.get(other_deal.get_absolute_url())
    guest_client.get("/contacts/")

    entries = AuditEntry.objects.filter(actor=guest).order_by("id")
    assert [(e.action, e.target_id, e.path) for e in entries] == [
        ("viewed", shared_deal.pk, shared_deal.get_absolute_url()),
        ("denied", other_deal.pk, other_deal.get_absolute_url()),
        ("denied", None, "/contacts/")]
    assert entries[0].ip == "127.0.0.1"


def test_a_notification_about_another_record_does_not_leak_to_a_guest(guest, admin_user,
                                                                      other_deal):
    notification = notify(guest, "collab.mentioned", actor=admin_user, target=other_deal,
                          title=f"Ada mentioned you on {other_deal.name}")

    assert other_deal.name not in notification.title


def test_a_shared_task_is_the_only_task_a_guest_sees(admin_user, guest, guest_client):
    from clarion.tasks.queries import tasks_visible_to
    from clarion.tasks.services import create_task

    shared = create_task(actor=admin_user, title="Review the mock-ups")
    hidden = create_task(actor=admin_user, title="Internal pricing")
    share_with_guest(actor=admin_user, target=shared, email=guest.email)

    assert list(tasks_visible_to(guest)) == [shared]
    assert guest_client.get(shared.get_absolute_url()).status_code == 200
    assert guest_client.get(hidden.get_absolute_url()).status_code == 404
    assert guest_client.post(reverse("tasks:complete", args=[shared.pk])).status_code == 404
    audited = AuditEntry.objects.filter(actor=guest).order_by("id")
    assert [(e.action, e.target) for e in audited] == [
        ("viewed", shared), ("denied", hidden), ("denied", shared)]


def test_members_of_the_workspace_cannot_be_invited_as_guests(admin_user, sales_user,
                                                              shared_deal):
    from clarion.accounts.guests import GuestAccessError

    with pytest.raises(GuestAccessError):
        share_with_guest(actor=admin_user, target=shared_deal, email=sales_user.email)


def test_a_guest_comments_on_the_shared_deal_only(guest_client, shared_deal, other_deal):
    from clarion.collab.models import Comment

    shared = guest_client.post(reverse("collab:comments", args=["deal", shared_deal.pk]),
                               {"body": "Mock-ups attached tomorrow"})
    other = guest_client.post(reverse("collab:comments", args=["deal", other_deal.pk]),
                              {"body": "Let me in"})

    assert shared.status_code == 302 and other.status_code == 404
    assert list(Comment.objects.values_list("body", flat=True)) == ["Mock-ups attached tomorrow"]
    assert guest_client.get(reverse("collab:comments", args=["deal", other_deal.pk])) \
        .status_code == 404


def test_a_guest_manages_their_own_profile_and_notification_preferences(guest_client):
    assert guest_client.get("/settings/", follow=True).status_code == 200
    assert guest_client.get(reverse("settings:security")).status_code == 200
    assert guest_client.get(reverse("notifications:preferences")).status_code == 200
    assert guest_client.get(reverse("notifications:list")).status_code == 200


def test_an_api_key_of_a_guest_reaches_nothing(client, guest, shared_deal):
    from clarion.accounts.models import APIKey, hash_secret

    prefix, secret = APIKey.generate_secret()
    APIKey.objects.create(name="t", user=guest, prefix=prefix, key_hash=hash_secret(secret),
                          scopes=["deals:read", "notifications:read"])
    headers = {"Authorization": f"Bearer {secret}"}

    for url in ("/api/v1/deals", f"/api/v1/deals/{shared_deal.pk}", "/api/v1/notifications"):
        assert client.get(url, headers=headers).status_code in (401, 403, 404)
