"""Reading the reports mail servers send back: delivery status notifications and complaints.

- RFC 3464 `multipart/report; report-type=delivery-status` (Postfix, Exim, Gmail, Exchange,
  most servers): per-recipient `Action`, `Status` and `Diagnostic-Code`, the original
  message attached whole (message/rfc822) or as headers (text/rfc822-headers).
- RFC 5965 ARF `multipart/report; report-type=feedback-report`: a spam complaint forwarded by
  a mailbox provider's feedback loop.
- The non-standard bounces still common in the wild ("Undelivered Mail Returned to Sender",
  qmail's "failure notice", Exchange's "Undeliverable:"): recognized by sender and subject,
  the status read from the text.

The original message is identified by its Message-ID header, or else by a message token found
in the returned content (the links of every message carry one; tokens are signed, so a
forged report cannot name an arbitrary message this way).

Hard or soft: 4.x.x is temporary (soft). 5.x.x is permanent (hard) — an unknown user, a
domain that does not exist (5.1.x) — except where the permanence is about the message or the
mailbox's state rather than the address: mailbox full (5.2.2, and 552 or "quota" wording),
message too large (5.2.3, 5.3.4), and policy refusals (5.7.x: spam filters, reputation),
which are soft. Soft bounces suppress an address only after several in a row.
"""

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import HeaderParser

BOUNCE, DELAY, COMPLAINT, UNSUBSCRIBE, DELIVERED, OTHER = (
    "bounce", "delay", "complaint", "unsubscribe", "delivered", "other")
HARD, SOFT = "hard", "soft"

SOFT_PERMANENT_STATUSES = {"5.2.2", "5.2.3", "5.3.4"}
MAILBOX_FULL = re.compile(r"mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?"
                          r"(storage|quota)|insufficient (system )?storage|mailbox size limit",
                          re.IGNORECASE)
STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
SMTP_CODE = re.compile(r"(?<![\d.#])([45]\d\d)(?:[ -]|$)", re.MULTILINE)
BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|mail delivery (sub)?system", re.IGNORECASE)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|returned to sender|delivery (status notification \(failure\)|"
    r"failure|has failed|failed)|mail delivery (failed|failure)|failure notice|"
    r"could not be delivered|non-?delivery|delivery notification: delivery has failed",
    re.IGNORECASE)
MESSAGE_ID_LINE = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
TOKEN_IN_TEXT = re.compile(
    r"(?:/t/[oc]/|/email/(?:u|preferences)/|unsubscribe-)([0-9A-Za-z]{1,12}-[0-9A-Za-z]{22})")
UNSUBSCRIBE_SUBJECT = re.compile(r"unsubscribe-[0-9A-Za-z]+-[0-9A-Za-z]+")


@dataclass(frozen=True)
class Report:
    kind: str
    recipient: str = ""
    status: str = ""
    bounce: str = ""  # HARD / SOFT for a bounce
    diagnostic: str = ""
    original_message_id: str = ""
    tokens: tuple[str, ...] = ()
    feedback_type: str = ""
    report_id: str = ""  # the report's own Message-ID


def parse_report(raw: bytes) -> Report:
    """What a received email reports about a message we sent (or OTHER)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    report_id = _header(message, "Message-ID")
    tokens = tuple(dict.fromkeys(TOKEN_IN_TEXT.findall(_all_text(message))))
    parts = _parts(message)
    if "message/feedback-report" in parts:
        return _feedback(message, parts, report_id, tokens)
    if "message/delivery-status" in parts:
        return _delivery_status(message, parts, report_id, tokens)
    if _looks_like_bounce(message):
        return _plain_bounce(message, report_id, tokens)
    if UNSUBSCRIBE_SUBJECT.search(_header(message, "Subject")):
        return Report(UNSUBSCRIBE, recipient=_address(_header(message, "From")),
                      report_id=report_id)
    return Report(OTHER, report_id=report_id)


def classify(status: str, diagnostic: str = "") -> str:
    """HARD or SOFT for an enhanced status code (and the server's words)."""
    status = status or status_in(diagnostic)
    if MAILBOX_FULL.search(diagnostic or ""):
        return SOFT
    if status:
        klass, subject = status.split(".")[:2]
        if klass != "5" or status in SOFT_PERMANENT_STATUSES or subject == "7":
            return SOFT
        return HARD
    smtp = SMTP_CODE.search(diagnostic or "")
    if smtp:
        return HARD if smtp.group(1).startswith("5") and smtp.group(1) != "552" else SOFT
    return SOFT  # not knowing, never suppress on the first one


# --- RFC 3464 -------------------------------------------------------------------------------

def _delivery_status(message, parts, report_id, tokens) -> Report:
    blocks = _field_blocks(parts["message/delivery-status"])
    recipients = blocks[1:] or blocks
    chosen = next((b for b in recipients if b.get("action", "").lower() == "failed"),
                  recipients[0] if recipients else {})
    action = chosen.get("action", "").lower()
    diagnostic = _after_type(chosen.get("diagnostic-code", ""))
    status = status_in(chosen.get("status", "")) or status_in(diagnostic)
    recipient = _address(_after_type(chosen.get("final-recipient", "")
                                     or chosen.get("original-recipient", "")))
    original = _original_message_id(parts)
    if action in {"delivered", "relayed", "expanded"}:
        # A success notification (when one was asked for): delivered, or handed on.
        return Report(DELIVERED if action == "delivered" else OTHER, recipient=recipient,
                      status=status, report_id=report_id, original_message_id=original,
                      tokens=tokens)
    kind = DELAY if action == "delayed" else BOUNCE
    return Report(kind, recipient=recipient, status=status,
                  bounce=classify(status, diagnostic) if kind == BOUNCE else "",
                  diagnostic=diagnostic or status, original_message_id=original,
                  tokens=tokens, report_id=report_id)


def _field_blocks(part) -> list[dict[str, str]]:
    """The delivery-status body as header blocks (per-message, then per-recipient)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [{k.lower(): str(v) for k, v in block.items()} for block in payload]
    text = payload if isinstance(payload, str) else ""
    blocks = []
    for chunk in re.split(r"\r?\n\s*\r?\n", text.strip()):
        parsed = HeaderParser().parsestr(chunk + "\n")
        blocks.append({k.lower(): str(v) for k, v in parsed.items()})
    return blocks


def _after_type(value: str) -> str:
    """'rfc822; a@b.c' → 'a@b.c', 'smtp; 550 …' → '550 …'."""
    kind, separator, rest = value.partition(";")
    return " ".join((rest if separator else kind).split())


# --- RFC 5965 -------------------------------------------------------------------------------

def _feedback(message, parts, report_id, tokens) -> Report:
    fields = _field_blocks(parts["message/feedback-report"])
    merged = {k: v for block in fields for k, v in block.items()}
    feedback_type = merged.get("feedback-type", "abuse").strip().lower()
    original_headers = _original_headers(parts)
    recipient = _address(merged.get("original-rcpt-to", "")) or _address(
        original_headers.get("To", "") if original_headers else "")
    kind = OTHER if feedback_type == "not-spam" else COMPLAINT
    return Report(kind, recipient=recipient, feedback_type=feedback_type,
                  original_message_id=_original_message_id(parts), tokens=tokens,
                  report_id=report_id)


# --- Non-standard bounces -------------------------------------------------------------------

def _looks_like_bounce(message) -> bool:
    if _header(message, "X-Failed-Recipients"):
        return True
    sender_is_daemon = bool(BOUNCE_SENDER.search(_header(message, "From")))
    return bool(BOUNCE_SUBJECT.search(_header(message, "Subject"))) and (
        sender_is_daemon or not _header(message, "In-Reply-To"))


def _plain_bounce(message, report_id, tokens) -> Report:
    text = _first_text(message)
    notice, original = _split_original(text)
    status = status_in(notice)
    diagnostic = _diagnostic_line(notice, status)
    recipient = _address(_header(message, "X-Failed-Recipients")) or _failed_address(
        notice, message)
    original_id = (_original_message_id(_parts(message)) or _message_id_in(original)
                   or _message_id_in(notice))
    return Report(BOUNCE, recipient=recipient, status=status,
                  bounce=classify(status, diagnostic), diagnostic=diagnostic,
                  original_message_id=original_id, tokens=tokens, report_id=report_id)


_ORIGINAL_MARKERS = re.compile(
    r"^.*(original message|message headers follow|undelivered message|returned message|"
    r"below this line is a copy|message that you sent|original message headers).*$",
    re.IGNORECASE | re.MULTILINE)


def _split_original(text: str) -> tuple[str, str]:
    marker = _ORIGINAL_MARKERS.search(text)
    if not marker:
        return text, ""
    return text[:marker.start()], text[marker.end():]


def _diagnostic_line(text: str, status: str) -> str:
    for line in text.splitlines():
        if (status and status in line) or SMTP_CODE.search(line.strip()):
            return " ".join(line.split())[:500]
    return ""


def _failed_address(text: str, message) -> str:
    ours = {_address(_header(message, name)) for name in ("From", "To", "Return-Path")}
    for candidate in ADDRESS.findall(text):
        lowered = candidate.lower()
        if lowered not in ours and not BOUNCE_SENDER.search(lowered):
            return lowered
    return ""


# --- Shared ---------------------------------------------------------------------------------

def _parts(message) -> dict:
    """Each content type's first part (an attached original's own parts come later)."""
    parts: dict = {}
    for part in message.walk():
        parts.setdefault(part.get_content_type(), part)
    return parts


def _original_headers(parts) -> EmailMessage | None:
    attached = parts.get("message/rfc822")
    if attached is not None:
        payload = attached.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if inner is not None:
            return inner
    headers = parts.get("text/rfc822-headers")
    if headers is not None:
        return HeaderParser().parsestr(_text_of(headers))
    return None


def _original_message_id(parts) -> str:
    headers = _original_headers(parts)
    if headers is None:
        return ""
    return _message_id_in(f"Message-ID: {headers.get('Message-ID', '')}")


def _message_id_in(text: str) -> str:
    found = MESSAGE_ID_LINE.search(text or "")
    return found.group(1) if found else ""


def status_in(text: str) -> str:
    found = STATUS_CODE.search(text or "")
    return ".".join(found.groups()) if found else ""


def _address(value: str) -> str:
    found = ADDRESS.search(value or "")
    return found.group(0).lower() if found else ""


def _header(message, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):  # a malformed header in a spammy report
        return ""


def _text_of(part) -> str:
    try:
        content = part.get_content()
    except (KeyError, LookupError, ValueError, AssertionError):
        content = part.get_payload(decode=True) or b""
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return content if isinstance(content, str) else ""


def _first_text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return _text_of(part)
    for part in message.walk():
        if part.get_content_maintype() == "text":
            return re.sub(r"<[^>]+>", " ", _text_of(part))
    return ""


def _all_text(message) -> str:
    return "\n".join(_text_of(part) for part in message.walk()
                     if part.get_content_maintype() == "text")
