"""The bounce mailbox: the Return-Path address's IMAP inbox, polled for bounces and complaints.

CLARION_BOUNCE_IMAP_URL names it: `imaps://user:password@host:993/INBOX` (TLS), or
`imap://…:143/INBOX?starttls=1`; add `&delete=1` (or `?delete=1`) to delete processed emails
instead of only marking them seen. Each poll fetches the UNSEEN emails, routes each through
`inbound.process_raw_email` and then flags it; an email processed twice (a crash between
processing and flagging, two pollers at once) changes nothing the second time.
"""

import hashlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from clarion.tracking.inbound import MAX_KEPT_BYTES, process_raw_email
from clarion.tracking.models import Notice

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30
MAX_PER_POLL = 500


class MailboxError(Exception):
    """The bounce mailbox could not be read (address, login or server problem)."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"
    use_ssl: bool = True
    starttls: bool = False
    delete: bool = False

    @classmethod
    def from_url(cls, url: str) -> "MailboxSettings":
        parts = urlsplit(url)
        if parts.scheme not in {"imap", "imaps"}:
            raise MailboxError(f"CLARION_BOUNCE_IMAP_URL must start with imaps:// or imap://, "
                               f"not {parts.scheme!r}://")
        if not parts.hostname or not parts.username:
            raise MailboxError("CLARION_BOUNCE_IMAP_URL needs a user and a host: "
                               "imaps://user:password@host:993/INBOX")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        secure = parts.scheme == "imaps"
        return cls(host=parts.hostname, port=parts.port or (993 if secure else 143),
                   username=unquote(parts.username), password=unquote(parts.password or ""),
                   folder=unquote(parts.path.lstrip("/")) or "INBOX", use_ssl=secure,
                   starttls=query.get("starttls", "0") in {"1", "true"},
                   delete=query.get("delete", "0") in {"1", "true"})


def configured() -> bool:
    return bool(settings.CLARION_BOUNCE_IMAP_URL)


def poll_bounce_mailbox(url: str | None = None, *, limit: int = MAX_PER_POLL) -> dict:
    """Process the mailbox's unseen emails; counts by outcome ("bounce", "complaint", …,
    "duplicate")."""
    url = url if url is not None else settings.CLARION_BOUNCE_IMAP_URL
    if not url:
        return {}
    config = MailboxSettings.from_url(url)
    counts: dict[str, int] = {}
    try:
        with _connect(config) as imap:
            _check(imap.login(config.username, config.password), "LOGIN")
            _check(imap.select(_quoted(config.folder)), "SELECT")
            _typ, found = _check(imap.search(None, "UNSEEN"), "SEARCH")
            numbers = (found[0] or b"").split()[:limit]
            for number in numbers:
                outcome = _process_one(imap, number)
                counts[outcome] = counts.get(outcome, 0) + 1
                flags = r"(\Seen \Deleted)" if config.delete else r"(\Seen)"
                _check(imap.store(number, "+FLAGS", flags), "STORE")
            if config.delete and numbers:
                imap.expunge()
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"bounce mailbox {config.host}:{config.port}: {error}") from error
    return counts


def _process_one(imap, number: bytes) -> str:
    _typ, data = _check(imap.fetch(number, "(RFC822)"), "FETCH")
    raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
    try:
        notice = process_raw_email(raw, source=Notice.Source.MAILBOX)
    except Exception as error:
        # One email that breaks processing must not stop the mailbox: keep it to be read.
        logger.exception("Could not process an email from the bounce mailbox")
        keep_unprocessable(raw, error)
        return "error"
    return "duplicate" if notice is None else notice.kind


def keep_unprocessable(raw: bytes, error: Exception) -> None:
    Notice.objects.get_or_create(
        key="mail:error:" + hashlib.sha256(raw).hexdigest(),
        defaults={"source": Notice.Source.MAILBOX, "kind": Notice.Kind.OTHER,
                  "summary": f"not processed: {type(error).__name__}"[:255],
                  "diagnostic": str(error)[:2000],
                  "raw": raw[:MAX_KEPT_BYTES].decode("utf-8", "replace")})


def _connect(config: MailboxSettings) -> imaplib.IMAP4:
    timeout = int(getattr(settings, "CLARION_BOUNCE_IMAP_TIMEOUT", DEFAULT_TIMEOUT))
    if config.use_ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, timeout=timeout,
                                 ssl_context=ssl.create_default_context())
    imap = imaplib.IMAP4(config.host, config.port, timeout=timeout)
    if config.starttls:
        imap.starttls(ssl.create_default_context())
    return imap


def _check(result, command: str):
    typ, data = result
    if typ != "OK":
        raise MailboxError(f"{command} failed: {data!r}")
    return typ, data


def _quoted(folder: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_.\-/]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
