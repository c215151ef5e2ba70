"""The bounce mailbox poller against a real (small) IMAP server."""

from urllib.parse import quote

import pytest

from clarion.core import scheduler
from clarion.sending.models import Message
from clarion.subscriptions.queries import is_suppressed
from clarion.tracking.mailbox import MailboxError, MailboxSettings, poll_bounce_mailbox
from clarion.tracking.models import Notice
from tests.tracking.fake_imap import FakeImapServer, Mailbox
from tests.tracking.reports import ARF, GMAIL_DSN, OUT_OF_OFFICE, POSTFIX_DSN, report
from tests.tracking.support import events, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def imap_url(mailbox):
    with FakeImapServer(mailbox) as server:
        yield (f"imap://{mailbox.username}:{quote(mailbox.password)}@127.0.0.1:{server.port}"
               f"/{mailbox.folder}")


def test_unseen_reports_are_processed_and_marked_seen(mailbox, imap_url):
    bounced, complained = make_message(), make_message()
    mailbox.add(report(POSTFIX_DSN, recipient=bounced.email, message_id=bounced.message_id))
    mailbox.add(report(ARF, recipient=complained.email, message_id=complained.message_id))
    mailbox.add(report(OUT_OF_OFFICE))
    mailbox.add(report(GMAIL_DSN, recipient=complained.email), "\\Seen")  # already read
    counts = poll_bounce_mailbox(imap_url)
    assert counts == {"bounce": 1, "complaint": 1, "other": 1}
    assert Message.objects.get(pk=bounced.pk).bounce_kind == "hard"
    assert Message.objects.get(pk=complained.pk).complained_at is not None
    assert is_suppressed(bounced.email) and is_suppressed(complained.email)
    assert all("\\Seen" in mail.flags for mail in mailbox.mails)
    assert len(mailbox.mails) == 4  # kept: only marked seen
    assert poll_bounce_mailbox(imap_url) == {}  # nothing unseen any more


def test_reprocessing_the_same_reports_changes_nothing(mailbox, imap_url):
    message = make_message()
    raw = report(POSTFIX_DSN, recipient=message.email, message_id=message.message_id)
    mailbox.add(raw)
    poll_bounce_mailbox(imap_url)
    for mail in mailbox.mails:  # as if the flags were lost after a crash
        mail.flags.clear()
    assert poll_bounce_mailbox(imap_url) == {"duplicate": 1}
    assert len(events("email.bounced")) == 1
    assert Notice.objects.count() == 1


def test_delete_option_removes_processed_reports(mailbox, imap_url):
    message = make_message()
    mailbox.add(report(POSTFIX_DSN, recipient=message.email, message_id=message.message_id))
    mailbox.add(report(OUT_OF_OFFICE))
    assert poll_bounce_mailbox(imap_url + "?delete=1") == {"bounce": 1, "other": 1}
    assert mailbox.mails == []
    assert "EXPUNGE" in mailbox.commands


def test_wrong_credentials_raise_a_mailbox_error(mailbox, imap_url):
    with pytest.raises(MailboxError, match="LOGIN|AUTHENTICATIONFAILED"):
        poll_bounce_mailbox(imap_url.replace("pa%20ss", "nope"))


def test_unreachable_server_raises_a_mailbox_error():
    with pytest.raises(MailboxError):
        poll_bounce_mailbox("imap://u:p@127.0.0.1:9/INBOX")


def test_the_scheduler_polls_the_configured_mailbox(mailbox, imap_url, settings):
    settings.CLARION_BOUNCE_IMAP_URL = imap_url
    message = make_message()
    mailbox.add(report(POSTFIX_DSN, recipient=message.email, message_id=message.message_id))
    job = scheduler.JOBS["poll-bounce-mailbox"]
    job.enqueue()  # the immediate task backend runs it now
    assert Message.objects.get(pk=message.pk).bounce_kind == "hard"


def test_nothing_is_enqueued_without_a_mailbox(settings):
    settings.CLARION_BOUNCE_IMAP_URL = ""
    assert scheduler.JOBS["poll-bounce-mailbox"].enqueue() is None


def test_mailbox_urls():
    secure = MailboxSettings.from_url("imaps://bounce%40example.com:p%40ss@imap.example.com/"
                                      "Bounces")
    assert (secure.host, secure.port, secure.use_ssl) == ("imap.example.com", 993, True)
    assert (secure.username, secure.password, secure.folder) == (
        "bounce@example.com", "p@ss", "Bounces")
    plain = MailboxSettings.from_url("imap://u:p@mail.example.com?starttls=1&delete=1")
    assert (plain.port, plain.use_ssl, plain.starttls, plain.delete) == (143, False, True, True)
    assert plain.folder == "INBOX"
    with pytest.raises(MailboxError):
        MailboxSettings.from_url("pop3://u:p@mail.example.com")
    with pytest.raises(MailboxError):
        MailboxSettings.from_url("imaps://mail.example.com")


def test_an_email_that_breaks_processing_is_kept_and_the_rest_go_on(mailbox, imap_url,
                                                                       monkeypatch):
    from clarion.tracking import inbound

    first, second = make_message(), make_message()
    mailbox.add(report(POSTFIX_DSN, recipient=first.email, message_id=first.message_id))
    mailbox.add(report(GMAIL_DSN, recipient=second.email, message_id=second.message_id))
    real = inbound.dsn.parse_report
    calls = []

    def first_one_breaks(raw):
        calls.append(raw)
        if len(calls) == 1:
            raise ValueError("unexpected structure")
        return real(raw)

    monkeypatch.setattr(inbound.dsn, "parse_report", first_one_breaks)
    assert poll_bounce_mailbox(imap_url) == {"error": 1, "bounce": 1}
    assert Message.objects.get(pk=second.pk).bounce_kind == "hard"
    kept = Notice.objects.get(summary__startswith="not processed")
    assert "unexpected structure" in kept.diagnostic and "Mail Delivery System" in kept.raw
