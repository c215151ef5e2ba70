"""Reading delivery reports: what kind, which message, which recipient, hard or soft."""

import pytest

from clarion.tracking import dsn
from tests.tracking.reports import (
    ARF,
    GMAIL_DSN,
    OUT_OF_OFFICE,
    OUTLOOK_PLAIN,
    POSTFIX_DSN,
    QMAIL_PLAIN,
    UNSUBSCRIBE_MAIL,
    report,
)

MID = "<7.42.abcdef012345@mail.example.com>"


def test_rfc3464_report_with_original_headers():
    parsed = dsn.parse_report(report(POSTFIX_DSN, recipient="gone@example.org", message_id=MID))
    assert parsed.kind == dsn.BOUNCE
    assert parsed.recipient == "gone@example.org"
    assert parsed.status == "5.1.1" and parsed.bounce == dsn.HARD
    assert parsed.original_message_id == MID
    assert "User unknown" in parsed.diagnostic
    assert parsed.report_id == "<20260303100002.3F2A41C0040@mx.example.org>"


def test_gmail_report_with_the_original_attached():
    parsed = dsn.parse_report(report(GMAIL_DSN, recipient="nobody@gmail.example",
                                     message_id=MID))
    assert (parsed.kind, parsed.bounce, parsed.status) == (dsn.BOUNCE, dsn.HARD, "5.1.1")
    assert parsed.recipient == "nobody@gmail.example"
    assert parsed.original_message_id == MID
    assert "does not exist" in parsed.diagnostic


def test_mailbox_full_is_soft_even_though_permanent():
    parsed = dsn.parse_report(report(POSTFIX_DSN, status="5.2.2", code="552",
                                     text="Mailbox full"))
    assert (parsed.kind, parsed.bounce) == (dsn.BOUNCE, dsn.SOFT)


def test_temporary_failure_that_gave_up_is_soft():
    parsed = dsn.parse_report(report(POSTFIX_DSN, status="4.4.1", code="451",
                                     text="Connection timed out"))
    assert (parsed.kind, parsed.bounce) == (dsn.BOUNCE, dsn.SOFT)


def test_delay_warnings_are_not_bounces():
    parsed = dsn.parse_report(report(POSTFIX_DSN, status="4.2.0", code="450",
                                     action="delayed", text="Greylisted"))
    assert parsed.kind == dsn.DELAY and parsed.bounce == ""


def test_success_notifications_say_delivered_or_relayed():
    parsed = dsn.parse_report(report(POSTFIX_DSN, status="2.0.0", code="250",
                                     action="delivered", text="OK", message_id=MID))
    assert parsed.kind == dsn.DELIVERED and parsed.original_message_id == MID
    relayed = dsn.parse_report(report(POSTFIX_DSN, status="2.0.0", code="250",
                                      action="relayed", text="OK"))
    assert relayed.kind == dsn.OTHER


def test_outlook_plain_text_notice():
    parsed = dsn.parse_report(report(OUTLOOK_PLAIN, recipient="left@corp.example",
                                     message_id=MID))
    assert (parsed.kind, parsed.bounce, parsed.status) == (dsn.BOUNCE, dsn.HARD, "5.1.1")
    assert parsed.recipient == "left@corp.example"
    assert parsed.original_message_id == MID
    assert "RecipNotFound" in parsed.diagnostic


def test_qmail_failure_notice_found_by_its_token():
    parsed = dsn.parse_report(report(QMAIL_PLAIN, recipient="old@example.net", code="553",
                                     text="sorry, no mailbox here by that name. (#5.1.1)",
                                     token="7-abcdefghijklmnopqrstuv"))
    assert (parsed.kind, parsed.bounce) == (dsn.BOUNCE, dsn.HARD)
    assert parsed.recipient == "old@example.net"
    assert parsed.tokens == ("7-abcdefghijklmnopqrstuv",)


def test_arf_complaint():
    parsed = dsn.parse_report(report(ARF, recipient="angry@example.org", message_id=MID))
    assert parsed.kind == dsn.COMPLAINT
    assert parsed.recipient == "angry@example.org"
    assert parsed.feedback_type == "abuse"
    assert parsed.original_message_id == MID


def test_arf_not_spam_is_not_a_complaint():
    assert dsn.parse_report(report(ARF, feedback_type="not-spam")).kind == dsn.OTHER


def test_out_of_office_is_other():
    assert dsn.parse_report(report(OUT_OF_OFFICE)).kind == dsn.OTHER


def test_unsubscribe_mail():
    parsed = dsn.parse_report(report(UNSUBSCRIBE_MAIL, recipient="me@example.org",
                                     token="7-abcdefghijklmnopqrstuv"))
    assert parsed.kind == dsn.UNSUBSCRIBE and parsed.recipient == "me@example.org"


def test_garbage_is_other():
    assert dsn.parse_report(b"\x00\xffnot an email at all").kind == dsn.OTHER
    assert dsn.parse_report(b"").kind == dsn.OTHER


@pytest.mark.parametrize("status, diagnostic, expected", [
    ("5.1.1", "", dsn.HARD), ("5.1.10", "", dsn.HARD), ("5.4.4", "", dsn.HARD),
    ("5.2.2", "", dsn.SOFT), ("5.3.4", "message too big", dsn.SOFT),
    ("5.7.1", "rejected by policy", dsn.SOFT), ("4.2.2", "", dsn.SOFT),
    ("", "550 5.1.1 user unknown", dsn.HARD), ("", "550 no such user", dsn.HARD),
    ("", "552 mailbox over quota", dsn.SOFT), ("", "421 try again later", dsn.SOFT),
    ("5.0.0", "Mailbox is full", dsn.SOFT), ("", "", dsn.SOFT),
])
def test_classification(status, diagnostic, expected):
    assert dsn.classify(status, diagnostic) == expected
