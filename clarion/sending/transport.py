"""Handing one message to the mail server, and reading exactly what it answered.

`SMTPTransport` talks SMTP itself (MAIL, RCPT, DATA with smtplib's primitives) over one
connection kept open across messages, because the engine needs to know the stage and code
of every answer: a 4xx defers, a 5xx fails, a 5.1.x at RCPT means the address does not exist,
and a connection lost *after* the whole message was written means nobody knows whether the
server took it ("uncertain"). Any other Django mail backend (console, file, locmem, the ESPs
of django-anymail) goes through `DjangoTransport`, which only knows "sent" or "error".
"""

import logging
import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers

from clarion.sending import mime

logger = logging.getLogger(__name__)

SENT, DEFERRED, FAILED, UNCERTAIN = "sent", "deferred", "failed", "uncertain"
_RECIPIENT_UNKNOWN = re.compile(r"\b5\.1\.\d{1,3}\b")
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class Outcome:
    result: str  # SENT, DEFERRED, FAILED or UNCERTAIN
    code: int | None = None
    response: str = ""
    # A 5xx that says the address does not exist: suppress it (hard bounce).
    recipient_unknown: bool = False
    # The connection failed before anything was sent: the rest of a batch would fail too.
    connection_failed: bool = False


def _text(response: bytes | str) -> str:
    if isinstance(response, bytes):
        response = response.decode("utf-8", "replace")
    return response[:1000]


def _answer(code: int, response: bytes, *, stage: str) -> Outcome:
    text = _text(response)
    if 400 <= code < 500:
        return Outcome(DEFERRED, code, text)
    unknown = bool(_RECIPIENT_UNKNOWN.search(text)) or (
        stage == "rcpt" and code in (550, 551, 553) and not re.search(r"\b5\.\d\.\d", text))
    return Outcome(FAILED, code, text, recipient_unknown=unknown)


class SMTPTransport:
    """One pooled SMTP connection (reopened when it drops)."""

    def __init__(self, *, host: str, port: int, username: str = "", password: str = "",
                 use_tls: bool = False, use_ssl: bool = False, timeout: float = 30) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password = username, password
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        factory = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        connection = factory(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.use_tls:
                connection.starttls()
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def deliver(self, *, envelope_from: str, recipient: str, message: mime.Rendered,
                data: bytes) -> Outcome:
        try:
            if self.connection is None:
                self.connection = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            return Outcome(DEFERRED, None, f"connection: {error}"[:1000], connection_failed=True)
        try:
            outcome = self._transaction(self.connection, envelope_from, recipient, data)
        except _Uncertain as error:
            self.close()
            return Outcome(UNCERTAIN, None, f"no answer after the message was sent: {error}")
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            return Outcome(DEFERRED, None, f"connection lost: {error}"[:1000])
        if outcome.code == 421:  # the server is closing the connection
            self.close()
        return outcome

    def _transaction(self, connection: smtplib.SMTP, envelope_from: str, recipient: str,
                     data: bytes) -> Outcome:
        options = ["SMTPUTF8"] if not (envelope_from + recipient).isascii() else []
        code, response = connection.mail(envelope_from, options)
        if code != 250:
            connection.rset()
            return _answer(code, response, stage="mail")
        code, response = connection.rcpt(recipient)
        if code not in (250, 251):
            connection.rset()
            return _answer(code, response, stage="rcpt")
        connection.putcmd("data")
        code, response = connection.getreply()
        if code != 354:
            connection.rset()
            return _answer(code, response, stage="data")
        payload = _DOT_AT_LINE_START.sub(b"..", data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        connection.send(payload + b".\r\n")
        # From here on the server holds the whole message: losing the connection before its
        # answer leaves the outcome unknown.
        try:
            code, response = connection.getreply()
        except (OSError, smtplib.SMTPException) as error:
            raise _Uncertain(error) from error
        if code == 250:
            return Outcome(SENT, code, _text(response))
        return _answer(code, response, stage="data")

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.close()
        except OSError:
            pass
        self.connection = None

    def quit(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self.close()


class _Uncertain(Exception):
    pass


class DjangoTransport:
    """Any configured Django mail backend, through one open connection."""

    def __init__(self) -> None:
        self.connection = None

    def deliver(self, *, envelope_from: str, recipient: str, message: mime.Rendered,
                data: bytes) -> Outcome:
        email = EmailMultiAlternatives(
            subject=message.subject, body=message.text,
            from_email=mime.address_header(message.from_name, message.from_email),
            to=[recipient], reply_to=[message.reply_to] if message.reply_to else None,
            headers={"Message-ID": message.message_id, **message.headers})
        email.attach_alternative(message.html, "text/html")
        try:
            if self.connection is None:
                self.connection = mailers["default"]
                self.connection.open()
            sent = self.connection.send_messages([email])
        except Exception as error:  # backends raise anything from sockets to HTTP errors
            logger.warning("Mail backend refused a message: %s", error)
            self.close()
            return Outcome(DEFERRED, None, f"{type(error).__name__}: {error}"[:1000])
        return Outcome(SENT, 250, "") if sent else Outcome(DEFERRED, None, "not sent")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # closing a broken connection must not stop the worker
                logger.debug("closing the mail connection failed", exc_info=True)
        self.connection = None

    quit = close


def from_settings() -> SMTPTransport | DjangoTransport:
    """The transport for MAILERS["default"]: SMTP directly when it is an SMTP backend."""
    mailer = getattr(settings, "MAILERS", {}).get("default", {})
    if mailer.get("BACKEND") != "django.core.mail.backends.smtp.EmailBackend":
        return DjangoTransport()
    options = mailer.get("OPTIONS", {})
    return SMTPTransport(host=options.get("host", "localhost"), port=options.get("port", 25),
                         username=options.get("username", ""),
                         password=options.get("password", ""),
                         use_tls=options.get("use_tls", False),
                         use_ssl=options.get("use_ssl", False),
                         timeout=options.get("timeout") or 30)
