"""The contact timeline's sentences for tracking events."""

import pytest
from django.db import transaction

from clarion.core.events import emit
from clarion.crm.objects import get_object_type
from clarion.crm.timeline import describe_all
from tests.tracking.support import HUMAN_AGENT, events, make_message, token_of

pytestmark = pytest.mark.django_db


def sentences(message, *kinds_and_data):
    with transaction.atomic():
        created = [emit(kind, contact_id=message.contact_id, subject=message.send,
                        data={"send_id": message.send_id, "message_id": message.pk,
                              "name": message.send.name, **data})
                   for kind, data in kinds_and_data]
    object_type = get_object_type("contact")
    return [str(entry.sentence) for entry in describe_all(created, object_type)]


def test_each_tracking_event_reads_as_a_sentence():
    message = make_message()
    assert sentences(message,
                     ("email.delivered", {}),
                     ("email.opened", {}),
                     ("email.clicked", {"url": "https://example.com/a", "link": 0}),
                     ("email.bounced", {"bounce": "hard", "diagnostic": "550 5.1.1 unknown"}),
                     ("email.bounced", {"bounce": "soft", "diagnostic": ""}),
                     ("email.complained", {})) == [
        "“Spring news” was delivered",
        "Opened “Spring news”",
        "Clicked https://example.com/a in “Spring news”",
        "“Spring news” bounced: the address does not accept email (550 5.1.1 unknown)",
        "“Spring news” bounced temporarily",
        "Marked “Spring news” as spam",
    ]


def test_events_from_tracking_carry_the_send_name_for_the_timeline(client):
    message = make_message()
    client.get(f"/t/o/{token_of(message)}.gif", HTTP_USER_AGENT=HUMAN_AGENT)
    [opened] = events("email.opened", message)
    assert opened.data["name"] == "Spring news"
    assert sentences(message, ("email.opened", {})) == ["Opened “Spring news”"]
