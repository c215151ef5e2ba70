"""Which files may be attached: a size limit and an allow-list of types, checked on the
uploaded bytes before anything reaches storage.

The browser's content type and the file name prove nothing, so the type is read from the
file's first bytes; the name's extension must then be one the detected type may carry (a
PNG named `.exe` or an executable named `.png` are both refused). Files are later served
with the detected, safe content type.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

SNIFF_BYTES = 2048


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...] = ()   # any of these prefixes; empty for text


IMAGE_TYPES = (
    FileType("image/png", ("png",), (b"\x89PNG\r\n\x1a\n",)),
    FileType("image/jpeg", ("jpg", "jpeg"), (b"\xff\xd8\xff",)),
    FileType("image/gif", ("gif",), (b"GIF87a", b"GIF89a")),
)
ALLOWED_TYPES = (
    *IMAGE_TYPES,
    FileType("application/pdf", ("pdf",), (b"%PDF-",)),
    # Office Open XML and OpenDocument files are zip archives.
    FileType("application/zip", ("docx", "xlsx", "pptx", "odt", "ods", "odp", "zip"),
             (b"PK\x03\x04",)),
    # Legacy Office documents (OLE2 compound files).
    FileType("application/x-ole-storage", ("doc", "xls", "ppt", "msg"),
             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    FileType("text/plain", ("txt", "csv", "md", "log", "json", "ics", "vcf")),
)
# Served with these types; everything else as application/octet-stream.
SERVED_TYPES = {"image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"}


class UploadRefused(ValueError):
    """The file may not be attached; the message says why, for the person uploading."""


def max_upload_bytes() -> int:
    return settings.CLARION_MAX_UPLOAD_MB * 1024 * 1024


def check_size(size: int) -> None:
    if size > max_upload_bytes():
        raise UploadRefused(
            _("The file is too large: files may be up to %(limit)s MB.")
            % {"limit": settings.CLARION_MAX_UPLOAD_MB})
    if size == 0:
        raise UploadRefused(_("The file is empty."))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def sniff(head: bytes) -> FileType | None:
    for file_type in ALLOWED_TYPES:
        if file_type.magic and head.startswith(file_type.magic):
            return file_type
    return ALLOWED_TYPES[-1] if _is_text(head) else None


def allowed_extensions() -> list[str]:
    return sorted({ext for file_type in ALLOWED_TYPES for ext in file_type.extensions})


def check_file(uploaded) -> str:
    """Refuse a file that is too large, empty or not an allowed type; otherwise the content
    type to serve it with. Reads only the first bytes."""
    check_size(uploaded.size)
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    detected = sniff(head)
    extension = _extension(uploaded.name or "")
    if detected is None or extension not in detected.extensions:
        raise UploadRefused(
            _("“%(name)s” can't be attached: only these types are allowed: %(types)s.")
            % {"name": uploaded.name, "types": ", ".join(allowed_extensions())})
    return detected.content_type


def served_type(content_type: str) -> str:
    return content_type if content_type in SERVED_TYPES else "application/octet-stream"


class SizeLimitHandler(FileUploadHandler):
    """First in a request's upload handlers: stops reading a file part as soon as it passes
    the limit, so an oversized upload never reaches a temporary file, let alone storage
    (the view then answers with the limit)."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_upload_bytes():
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_upload_size(request) -> None:
    """Install the size limit; call before anything reads the request body."""
    request.upload_too_large = False
    request.upload_handlers.insert(0, SizeLimitHandler(request))
