"""Many opens, clicks and reports of one message at the same moment on PostgreSQL, each thread
with its own connection: counters lose nothing and each "first" happens once."""

import pytest
from django.db import connection

from clarion.sending.models import Message
from clarion.tracking import detection, services
from clarion.tracking.inbound import process_raw_email
from clarion.tracking.models import Notice
from tests.core.test_events_concurrency import run_in_threads
from tests.tracking.reports import POSTFIX_DSN, report
from tests.tracking.support import HUMAN_AGENT, events, make_message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs concurrent connections to PostgreSQL"),
]

PERSON = detection.Request(user_agent=HUMAN_AGENT, ip="198.51.100.7")


def test_concurrent_opens_are_all_counted():
    message = make_message()

    def open_five_times():
        for _ in range(5):
            services.record_open(message.pk, PERSON)

    run_in_threads(8, open_five_times)
    message.refresh_from_db()
    assert message.open_count == 40
    assert len(events("email.opened", message)) == 40


def test_concurrent_first_clicks_record_one_implied_open():
    message = make_message()
    run_in_threads(6, lambda: services.record_click_url(
        message.pk, "https://example.com/pricing", PERSON))
    message.refresh_from_db()
    assert message.click_count == 6 and message.open_count == 1
    assert len(events("email.opened", message)) == 1


def test_the_same_report_processed_concurrently_applies_once():
    message = make_message()
    raw = report(POSTFIX_DSN, recipient=message.email, message_id=message.message_id)
    run_in_threads(4, lambda: process_raw_email(raw, source=Notice.Source.MAILBOX))
    assert Notice.objects.count() == 1
    assert Message.objects.get(pk=message.pk).bounce_kind == "hard"
    assert len(events("email.bounced")) == 1
