"""DKIM for sender identities: generating a key pair, the DNS record to publish, signing.

Keys are 2048-bit RSA (what Gmail and Yahoo require of bulk senders); the private key is
stored PEM-encoded on the sender and never shown again after it is saved.
"""

import base64
import functools
import hashlib
import re
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# Signed when present; the one-click headers are signed as RFC 8058 section 4 requires.
SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"reply-to",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version",
                  b"content-type", b"feedback-id"]


class InvalidKey(ValueError):
    """The text is not a usable RSA private key."""


def generate_private_key() -> str:
    """A new 2048-bit RSA private key, PEM (PKCS#1)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def public_key_base64(private_pem: str) -> str:
    """The `p=` value of the DKIM record: the DER SubjectPublicKeyInfo, base64."""
    try:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise InvalidKey(str(error)) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKey("not an RSA key")
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def dns_record(*, domain: str, selector: str, private_pem: str) -> tuple[str, str]:
    """(name, value) of the TXT record that publishes the public key."""
    return (f"{selector}._domainkey.{domain}",
            f"v=DKIM1; k=rsa; p={public_key_base64(private_pem)}")


def sign(message: bytes, *, domain: str, selector: str, private_pem: str) -> bytes:
    """`message` (CRLF line endings) with a DKIM-Signature header in front: relaxed/relaxed,
    rsa-sha256 (RFC 6376). The RSA signature is computed by OpenSSL through `cryptography`,
    a few times faster than dkimpy's own arithmetic; dkimpy verifies it in the tests."""
    head, _separator, body = message.partition(b"\r\n\r\n")
    headers = _header_fields(head)
    body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode()
    names = [name.decode() for name in SIGNED_HEADERS]
    value = (f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={selector}; "
             f"t={int(time.time())}; h={':'.join(names)}; bh={body_hash}; b=")
    signed = b"".join(_relaxed_header(name, field) + b"\r\n"
                      for name, field in _chosen(headers, SIGNED_HEADERS))
    signed += _relaxed_header(b"DKIM-Signature", value.encode())
    signature = _private_key(private_pem).sign(signed, padding.PKCS1v15(), hashes.SHA256())
    header = f"DKIM-Signature: {value}{base64.b64encode(signature).decode()}\r\n"
    return header.encode() + message


def _header_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    fields: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b"\r\n" + line)
        else:
            name, _colon, value = line.partition(b":")
            fields.append((name, value))
    return fields


def _chosen(fields: list[tuple[bytes, bytes]], names: list[bytes]) -> list[tuple[bytes, bytes]]:
    """Each signed name's last unused occurrence, bottom up (RFC 6376 5.4.2)."""
    remaining = list(fields)
    chosen = []
    for wanted in names:
        for index in range(len(remaining) - 1, -1, -1):
            if remaining[index][0].strip().lower() == wanted:
                chosen.append(remaining.pop(index))
                break
    return chosen


_WSP = re.compile(rb"[ \t]+")


def _relaxed_header(name: bytes, value: bytes) -> bytes:
    unfolded = value.replace(b"\r\n", b"")
    return name.strip().lower() + b":" + _WSP.sub(b" ", unfolded).strip(b" \t")


def _relaxed_body(body: bytes) -> bytes:
    lines = [_WSP.sub(b" ", line).rstrip(b" ") for line in body.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(line + b"\r\n" for line in lines)


@functools.lru_cache(maxsize=16)
def _private_key(private_pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKey("not an RSA key")
    return key
