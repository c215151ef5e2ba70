"""DKIM signatures made with OpenSSL, checked by an independent verifier (dkimpy)."""

import dkim

from clarion.sending import signing

KEY = signing.generate_private_key()
NAME, VALUE = signing.dns_record(domain="acme.example", selector="s1", private_pem=KEY)


def verifies(message: bytes) -> bool:
    return dkim.verify(message, dnsfunc=lambda name, timeout=5: VALUE.encode())


def signed(message: bytes) -> bytes:
    return signing.sign(message, domain="acme.example", selector="s1", private_pem=KEY)


# Folded headers, runs of spaces and tabs, trailing whitespace and blank lines at the end:
# everything relaxed canonicalization has to normalize.
MESSAGE = (b"From: Acme  News <news@acme.example>\r\n"
           b"To: bob@example.org\r\n"
           b"Subject: A subject that is folded\r\n\tover two lines\r\n"
           b"Message-ID: <1.2.x@acme.example>\r\n"
           b"List-Unsubscribe: <https://c.example/email/u/t/>,\r\n <mailto:u@acme.example>\r\n"
           b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
           b"\r\n"
           b"Hello   Bob \t \r\nSecond line\r\n\r\n\r\n")


def test_a_relaxed_signature_verifies_and_breaks_when_anything_signed_changes():
    message = signed(MESSAGE)
    assert verifies(message)
    assert not verifies(message.replace(b"bob@example.org", b"eve@example.org"))
    assert not verifies(message.replace(b"Second line", b"Second lime"))
    assert not verifies(message.replace(b"List-Unsubscribe=One-Click", b"List-Unsubscribe=No"))


def test_whitespace_changes_in_transit_keep_the_signature_valid():
    message = signed(MESSAGE)
    assert verifies(message.replace(b"Hello   Bob", b"Hello Bob"))
    assert verifies(message.replace(b"Second line\r\n\r\n\r\n", b"Second line\r\n"))


def test_the_record_publishes_the_public_half_of_the_key():
    assert NAME == "s1._domainkey.acme.example"
    assert VALUE.startswith("v=DKIM1; k=rsa; p=MIIBIjAN")  # a 2048-bit RSA public key
