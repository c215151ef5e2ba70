import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clarion.collab import services
from clarion.collab.models import Attachment
from clarion.collab.services import ActivityInput, Links
from tests.crm.api_support import make_deal

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] \
        if media_root.exists() else []


def upload(client, target_type, pk, name, content, **headers):
    return client.post(reverse("collab:files", args=[target_type, pk]),
                       {"file": SimpleUploadedFile(name, content)}, **headers)


def test_an_uploaded_file_is_stored_and_listed(client, sales_user, contact, media_root):
    client.force_login(sales_user)

    response = upload(client, "contact", contact.pk, "plan.pdf", PDF,
                      HTTP_ACCEPT="application/json")

    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert len(stored_files(media_root)) == 1
    panel = client.get(reverse("collab:files", args=["contact", contact.pk]))
    assert "plan.pdf" in panel.content.decode()


def test_an_oversized_file_is_refused_before_it_is_stored(client, sales_user, contact,
                                                          settings, media_root):
    settings.CLARION_MAX_UPLOAD_MB = 1
    client.force_login(sales_user)

    response = upload(client, "contact", contact.pk, "big.txt", b"a" * (1024 * 1024 + 1),
                      HTTP_ACCEPT="application/json")

    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert not Attachment.objects.exists() and stored_files(media_root) == []


def test_uploads_still_need_the_csrf_token(sales_user, contact, media_root):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_user)

    response = upload(client, "contact", contact.pk, "plan.pdf", PDF)

    assert response.status_code == 403 and not Attachment.objects.exists()


@pytest.mark.parametrize("name, content", [
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60),           # not an allowed type
    ("photo.png", b"MZ\x90\x00" + b"\x00" * 60),          # an executable calling itself PNG
    ("page.html", b"<html><script>alert(1)</script>"),   # text, but not an allowed name
    ("notes.txt", PNG),                                   # an image calling itself text
])
def test_disallowed_files_are_refused_with_a_clear_message(client, sales_user, contact,
                                                           media_root, name, content):
    client.force_login(sales_user)

    response = upload(client, "contact", contact.pk, name, content,
                      HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert "only these types are allowed" in response.json()["error"]
    assert not Attachment.objects.exists() and stored_files(media_root) == []


def test_a_download_is_an_attachment_with_a_safe_type_and_nosniff(client, sales_user,
                                                                  contact):
    file = services.attach_file(actor=sales_user, target=contact,
                                uploaded=SimpleUploadedFile("notes.txt", b"<b>hi</b>"))
    client.force_login(sales_user)

    response = client.get(reverse("collab:download", args=[file.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<b>hi</b>"


def test_images_and_pdfs_preview_inline_in_a_sandbox(client, sales_user, contact):
    image = services.attach_file(actor=sales_user, target=contact,
                                 uploaded=SimpleUploadedFile("a.png", PNG))
    text = services.attach_file(actor=sales_user, target=contact,
                                uploaded=SimpleUploadedFile("a.txt", b"hello"))
    client.force_login(sales_user)

    preview = client.get(reverse("collab:preview", args=[image.pk]))

    assert preview["Content-Type"] == "image/png"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["Content-Security-Policy"].startswith("sandbox")
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("collab:preview", args=[text.pk])).status_code == 404


def test_files_of_a_record_someone_cannot_see_are_404(client, sales_user, pat, pipeline):
    deal = make_deal(sales_user, pipeline, name="Private")
    file = services.attach_file(actor=sales_user, target=deal,
                                uploaded=SimpleUploadedFile("terms.pdf", PDF))
    client.force_login(pat)

    for name in ("download", "preview"):
        assert client.get(reverse(f"collab:{name}", args=[file.pk])).status_code == 404
    assert client.post(reverse("collab:file_delete", args=[file.pk])).status_code == 404
    assert client.get(reverse("collab:files", args=["deal", deal.pk])).status_code == 404
    assert upload(client, "deal", deal.pk, "x.pdf", PDF).status_code == 404


def test_a_file_on_a_note_follows_the_notes_visibility(client, sales_user, pat, pipeline):
    deal = make_deal(sales_user, pipeline, name="Private")
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(deal),
                                 values=ActivityInput(body="see file"))
    file = services.attach_file(actor=sales_user, target=note,
                                uploaded=SimpleUploadedFile("terms.pdf", PDF))

    client.force_login(pat)
    assert client.get(reverse("collab:download", args=[file.pk])).status_code == 404
    assert client.get(note.get_absolute_url()).status_code == 404
    client.force_login(sales_user)
    assert client.get(reverse("collab:download", args=[file.pk])).status_code == 200


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.org/a",
                                 "JaVaScRiPt:alert(1)//http://x"])
def test_links_must_be_http_or_https(client, sales_user, contact, url):
    client.force_login(sales_user)

    response = client.post(reverse("collab:files", args=["contact", contact.pk]),
                           {"url": url, "title": "Doc"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_a_link_is_attached_with_its_title(client, sales_user, contact):
    client.force_login(sales_user)

    client.post(reverse("collab:files", args=["contact", contact.pk]),
                {"url": "https://drive.example.com/doc/1", "title": "Proposal"})

    link = Attachment.objects.get()
    assert (link.kind, link.name, link.url) == ("link", "Proposal",
                                                "https://drive.example.com/doc/1")
    page = client.get(contact.get_absolute_url()).content.decode()
    assert 'href="https://drive.example.com/doc/1" rel="noopener nofollow noreferrer"' in page


def test_removing_a_file_deletes_it_from_storage(client, sales_user, contact, media_root):
    file = services.attach_file(actor=sales_user, target=contact,
                                uploaded=SimpleUploadedFile("a.png", PNG))
    client.force_login(sales_user)

    client.post(reverse("collab:file_delete", args=[file.pk]))

    assert not Attachment.objects.exists() and stored_files(media_root) == []


def test_the_files_panel_lists_many_files_in_a_few_queries(
        client, sales_user, contact, django_assert_max_num_queries):
    for number in range(6):
        services.attach_link(actor=sales_user, target=contact,
                             url=f"https://example.com/{number}")
    client.force_login(sales_user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("collab:files", args=["contact", contact.pk]))

    assert response.content.decode().count('class="collab-file"') == 6
