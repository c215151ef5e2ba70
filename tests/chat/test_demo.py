"""The demo chat loads once, with mentions, a record card and a record discussion."""

import pytest

from clarion.accounts.demo import load_demo_workspace
from clarion.chat.demo import load_demo
from clarion.chat.models import Conversation, Message
from tests.chat.factories import deal_owned_by

pytestmark = pytest.mark.django_db


def test_demo_chat_loads_once():
    people = load_demo_workspace()
    deal_owned_by(next(p for p in people if p.email.startswith("sam@")))
    summary = load_demo(people)
    assert "chat messages" in summary
    assert Conversation.objects.filter(kind="team").count() == 3
    assert Conversation.objects.filter(kind="direct").count() == 1
    assert Conversation.objects.filter(kind="record").count() == 1
    assert Message.objects.filter(body__contains="(user:").exists()
    assert Message.objects.filter(body__contains="#deal:").exists()
    assert load_demo(people) == ""
