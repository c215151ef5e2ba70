"""DKIM for sender identities: generating a key pair, the DNS record to publish, signing.

Keys are 2048-bit RSA (what Gmail and Yahoo require of bulk senders); the private key is
stored PEM-encoded on the sender and never shown again after it is saved.
"""

import base64

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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
    """`message` with a DKIM-Signature header in front (relaxed/relaxed, rsa-sha256)."""
    signature = dkim.sign(message, selector.encode(), domain.encode(), private_pem.encode(),
                          canonicalize=(b"relaxed", b"relaxed"),
                          include_headers=SIGNED_HEADERS)
    return signature + message
