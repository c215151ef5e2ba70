"""Guest collaborators: they comment on what was shared with them, see its comments and
files, add no files or activities, can't browse the staff directory, and reach nothing else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clarion.accounts.guests import share_with_guest
from clarion.accounts.models import User
from clarion.collab import services
from clarion.collab.models import Activity, Attachment, Comment
from tests.crm.api_support import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_deal(sales_user, pipeline):
    deal = make_deal(sales_user, pipeline, name="Agency brief")
    share_with_guest(actor=sales_user, target=deal, email="designer@agency.example.com")
    return deal


@pytest.fixture
def guest(shared_deal):
    return User.objects.get(email="designer@agency.example.com")


def test_a_guest_comments_on_the_shared_deal(client, guest, shared_deal, sales_user):
    client.force_login(guest)

    response = client.post(reverse("collab:comments", args=["deal", shared_deal.pk]),
                           {"body": "Draft attached soon"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert Comment.objects.get().author == guest


def test_a_guest_reaches_nothing_else(client, guest, sales_user, pipeline, contact):
    other = make_deal(sales_user, pipeline, name="Other deal")
    file = services.attach_file(actor=sales_user, target=other,
                                uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    comment = services.add_comment(actor=sales_user, target=other, body="internal")
    client.force_login(guest)

    assert client.get(reverse("collab:comments", args=["deal", other.pk])).status_code == 404
    assert client.get(reverse("collab:comments", args=["contact", contact.pk])
                      ).status_code == 404
    assert client.get(reverse("collab:download", args=[file.pk])).status_code == 404
    assert client.get(reverse("collab:comment_history", args=[comment.pk])).status_code == 404


def test_a_guest_adds_no_files_or_notes_and_sees_no_staff_directory(client, guest,
                                                                     shared_deal):
    client.force_login(guest)

    upload = client.post(reverse("collab:files", args=["deal", shared_deal.pk]),
                         {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    note = client.post(reverse("collab:activity_create", args=["deal", shared_deal.pk]),
                       {"kind": "note", "body": "hi"})
    people = client.get(reverse("collab:mention_search"), {"q": "s"})

    assert upload.status_code == 403
    assert note.status_code == 404  # the guest shell has no composer pages at all
    assert not Attachment.objects.exists() and not Activity.objects.exists()
    assert b"sam@example.com" not in people.content


def test_guests_are_not_offered_as_mentions(client, guest, sales_user):
    client.force_login(sales_user)

    found = client.get(reverse("collab:mention_search"), {"q": "designer"}).json()

    assert found == []
