"""The image library: uploads checked on their bytes (PNG, JPEG, GIF, WebP only, a size
limit), width and height read from the file, stored under a random name and served without
signing in (email clients fetch them), from the builder and the API."""

import base64
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clarion.accounts.services import create_user
from clarion.emails import assets
from clarion.emails.models import Asset
from tests.crm.api_support import key_for

pytestmark = pytest.mark.django_db


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


GIF = base64.b64decode("R0lGODlhAwACAIAAAP///wAAACwAAAAAAwACAAACAoRRADs=")  # 3 × 2
# A JPEG's start: SOI, an APP0 segment, then a baseline frame header of 640 × 480.
JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
        + b"\x00" * 32)
# A lossless WebP header of 20 × 10.
WEBP = (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f"
        + (19 | (9 << 14)).to_bytes(4, "little") + b"\x00" * 8)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("name, data, content_type, size", [
    ("logo.png", png(4, 3), "image/png", (4, 3)),
    ("pic.gif", GIF, "image/gif", (3, 2)),
    ("photo.jpg", JPEG, "image/jpeg", (640, 480)),
    ("art.webp", WEBP, "image/webp", (20, 10)),
])
def test_each_allowed_type_is_detected_with_its_size(marketer, name, data, content_type, size):
    asset = assets.upload_image(actor=marketer, uploaded=upload(name, data))
    assert asset.content_type == content_type
    assert (asset.width, asset.height) == size
    assert asset.size == len(data) and asset.name == name and asset.uploaded_by == marketer


def test_the_type_comes_from_the_bytes_not_the_name_or_browser(marketer):
    with pytest.raises(assets.ImageRefused):
        assets.upload_image(actor=marketer, uploaded=upload(
            "evil.png", b"<svg onload=alert(1)></svg>", "image/png"))
    with pytest.raises(assets.ImageRefused):
        assets.upload_image(actor=marketer, uploaded=upload("doc.png", b"%PDF-1.7 ..."))
    renamed = assets.upload_image(actor=marketer, uploaded=upload("really-a-gif.png", GIF))
    assert renamed.content_type == "image/gif" and renamed.file.name.endswith(".gif")
    assert Asset.objects.count() == 1


def test_empty_and_oversized_images_are_refused(marketer, settings):
    with pytest.raises(assets.ImageRefused, match="empty"):
        assets.upload_image(actor=marketer, uploaded=upload("a.png", b""))
    settings.CLARION_MAX_IMAGE_MB = 1
    big = png(1, 1) + b"\x00" * (1024 * 1024)
    with pytest.raises(assets.ImageRefused, match="1 MB"):
        assets.upload_image(actor=marketer, uploaded=upload("big.png", big))
    assert not Asset.objects.exists()


def test_the_stored_name_is_random_and_unguessable(marketer):
    first = assets.upload_image(actor=marketer, uploaded=upload("logo.png", png(1, 1)))
    second = assets.upload_image(actor=marketer, uploaded=upload("logo.png", png(1, 1)))
    names = [asset.file.name.rsplit("/", 1)[-1] for asset in (first, second)]
    assert names[0] != names[1]
    assert all("logo" not in name and len(name.split(".")[0]) >= 32 for name in names)


def test_images_are_served_without_signing_in(client, marketer, settings):
    asset = assets.upload_image(actor=marketer, uploaded=upload("logo.png", png(2, 2)))
    url = assets.public_url(asset)
    assert url.startswith(settings.SITE_URL + "/email/images/")
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png(2, 2)


def test_only_library_images_are_served(client, marketer):
    assert client.get("/email/images/2026/01/nothing.png").status_code == 404
    assert client.get("/email/images/../../secrets.txt").status_code == 404


def test_upload_and_list_from_the_builder(client, marketer, sales_user):
    client.force_login(marketer)
    response = client.post(reverse("emails:asset_upload"),
                           {"file": upload("logo.png", png(5, 5))})
    assert response.status_code == 201
    assert response.json()["width"] == 5 and "/email/images/" in response.json()["url"]
    refused = client.post(reverse("emails:asset_upload"),
                          {"file": upload("x.png", b"not an image")})
    assert refused.status_code == 400 and "PNG, JPEG, GIF or WebP" in refused.json()["error"]
    listed = client.get(reverse("emails:assets")).json()["results"]
    assert [row["name"] for row in listed] == ["logo.png"]
    client.force_login(sales_user)
    assert client.post(reverse("emails:asset_upload"),
                       {"file": upload("logo.png", png(5, 5))}).status_code == 403


def test_upload_and_list_through_the_api(client, marketer):
    headers = key_for(marketer, "marketing:read", "marketing:write")
    created = client.post("/api/v1/email-assets", {"file": upload("logo.png", png(7, 3))},
                          **headers)
    assert created.status_code == 201
    assert (created.json()["width"], created.json()["height"]) == (7, 3)
    refused = client.post("/api/v1/email-assets", {"file": upload("x.gif", b"GIF")},
                          **headers)
    assert refused.status_code == 422
    page = client.get("/api/v1/email-assets?limit=1", **headers).json()
    assert [row["name"] for row in page["results"]] == ["logo.png"] and page["next"] is None
