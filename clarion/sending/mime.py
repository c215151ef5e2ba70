"""One rendered message as the bytes an SMTP server receives.

Built by hand rather than with the `email` package's object model: a send writes hundreds of
messages a second and this shape never changes (multipart/alternative of a quoted-printable
text and HTML part, CRLF line endings, the headers the engine sets), so assembling bytes is
several times faster than building and flattening a message tree.
"""

import binascii
import secrets
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formataddr, formatdate


@dataclass
class Rendered:
    """What a recipient gets, before it becomes bytes (or a Django EmailMessage)."""

    from_name: str
    from_email: str
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    reply_to: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def header_value(value: str) -> str:
    """ASCII as is; anything else as an RFC 2047 encoded word (folded)."""
    if value.isascii():
        return " ".join(value.split()) if ("\n" in value or "\r" in value) else value
    return Header(value, "utf-8", header_name="Subject").encode(linesep="\r\n")


def address_header(name: str, address: str) -> str:
    return formataddr((name.replace("\n", " ").replace("\r", " "), address), charset="utf-8")


def _qp(text: str) -> bytes:
    body = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(body, quotetabs=False, istext=True).replace(b"\n", b"\r\n")


def to_bytes(message: Rendered) -> bytes:
    boundary = "=_clarion_" + secrets.token_hex(12)
    lines = [
        f"From: {address_header(message.from_name, message.from_email)}",
        f"To: {message.to}",
        f"Subject: {header_value(message.subject)}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {message.message_id}",
    ]
    if message.reply_to:
        lines.append(f"Reply-To: {message.reply_to}")
    lines += [f"{name}: {header_value(value)}" for name, value in message.headers.items()]
    lines += ["MIME-Version: 1.0",
              f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    head = "\r\n".join(lines).encode("utf-8") + b"\r\n"
    part = ("--{b}\r\nContent-Type: text/{kind}; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
    return b"".join([
        head,
        part.format(b=boundary, kind="plain").encode(), _qp(message.text), b"\r\n",
        part.format(b=boundary, kind="html").encode(), _qp(message.html), b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ])
