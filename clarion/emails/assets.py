"""The file library of email images: uploads checked on their bytes (PNG, JPEG, GIF and WebP
only, a size limit), their width and height read from the file's header, and a public
address for each.

Emails are read outside Clarion, so their images must load without signing in: each file
is stored under a random, unguessable name and served to anyone who has its address (as
any image in a sent email would be). Nothing else in storage is reachable that way.
"""

import secrets
import struct
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clarion.emails.models import Asset

ASSET_PREFIX = "email-assets/"


class ImageRefused(ValueError):
    """The file can't go into the library; the message says why, for the person uploading."""


@dataclass(frozen=True)
class ImageType:
    content_type: str
    extension: str


PNG = ImageType("image/png", "png")
JPEG = ImageType("image/jpeg", "jpg")
GIF = ImageType("image/gif", "gif")
WEBP = ImageType("image/webp", "webp")
IMAGE_TYPES = (PNG, JPEG, GIF, WEBP)
CONTENT_TYPES = {image_type.content_type for image_type in IMAGE_TYPES}


def max_image_mb() -> int:
    """Images are limited to CLARION_MAX_IMAGE_MB (5 MB unless set), never more than any
    upload (CLARION_MAX_UPLOAD_MB): a heavy image makes a slow email."""
    return max(1, min(settings.CLARION_MAX_IMAGE_MB, settings.CLARION_MAX_UPLOAD_MB))


def max_image_bytes() -> int:
    return max_image_mb() * 1024 * 1024


def sniff(data: bytes) -> ImageType | None:
    """The image type the bytes are, whatever the file is called."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _gif_size(data: bytes) -> tuple[int, int] | None:
    return struct.unpack("<HH", data[6:10]) if len(data) >= 10 else None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return (int.from_bytes(data[24:27], "little") + 1,
                int.from_bytes(data[27:30], "little") + 1)
    return None


# JPEG start-of-frame markers carry the size; C4 (Huffman), C8 and CC are not frames.
SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if marker in SOF_MARKERS:
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None


SIZE_READERS = {PNG: _png_size, JPEG: _jpeg_size, GIF: _gif_size, WEBP: _webp_size}


def image_size(image_type: ImageType, data: bytes) -> tuple[int, int] | None:
    """(width, height) from the file's header, or None when it can't be read."""
    try:
        size = SIZE_READERS[image_type](data)
    except struct.error:
        return None
    if size is None or not all(size):
        return None
    return size


def check_image(name: str, data: bytes) -> ImageType:
    """Refuse an empty, oversized or non-image file; otherwise its detected type."""
    if not data:
        raise ImageRefused(_("The file is empty."))
    if len(data) > max_image_bytes():
        raise ImageRefused(_("The image is too large: images may be up to %(limit)s MB.")
                           % {"limit": max_image_mb()})
    image_type = sniff(data)
    if image_type is None:
        raise ImageRefused(_("“%(name)s” is not a PNG, JPEG, GIF or WebP image.")
                           % {"name": name})
    return image_type


def upload_image(*, actor, uploaded) -> Asset:
    """Put an uploaded image into the file library under a random name."""
    data = uploaded.read(max_image_bytes() + 1)
    name = (uploaded.name or "image").rsplit("/", 1)[-1][:200]
    image_type = check_image(name, data)
    size = image_size(image_type, data)
    stored_name = f"{secrets.token_urlsafe(24)}.{image_type.extension}"
    asset = Asset(name=name, content_type=image_type.content_type, size=len(data),
                  width=size[0] if size else None, height=size[1] if size else None,
                  uploaded_by=actor, created_at=timezone.now())
    with transaction.atomic():
        asset.file.save(stored_name, ContentFile(data), save=False)
        asset.save()
    return asset


def public_path(asset: Asset) -> str:
    """The file's path under the public image address (year/month/random-name.ext)."""
    return asset.file.name.removeprefix(ASSET_PREFIX)


def public_url(asset: Asset) -> str:
    """The absolute address an email client fetches the image from."""
    return settings.SITE_URL + reverse("emails:image", args=[public_path(asset)])


def asset_for_path(path: str) -> Asset | None:
    """The library image stored at `path` (as in its public address), if any."""
    if ".." in path or path.startswith("/"):
        return None
    return Asset.objects.filter(file=ASSET_PREFIX + path).first()


def as_dict(asset: Asset) -> dict:
    return {"id": asset.pk, "name": asset.name, "url": public_url(asset),
            "content_type": asset.content_type, "size": asset.size, "width": asset.width,
            "height": asset.height, "created_at": asset.created_at.isoformat()}
