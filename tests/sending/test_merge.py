"""Merging two contacts keeps the loser's email history on the survivor."""

import pytest

from clarion.crm.merge import merge_records
from clarion.crm.models import Contact
from clarion.sending import services
from clarion.sending.models import Message

from .support import make_send, make_sender

pytestmark = pytest.mark.django_db


def test_merge_moves_the_losers_messages_unless_the_survivor_got_the_same_send(admin_user):
    sender = make_sender()
    keep = Contact.objects.create(email="kim@example.org", first_name="Kim")
    lose = Contact.objects.create(email="kim.old@example.org", first_name="Kim")
    both = services.resolve_recipients(make_send(sender=sender, name="Both"),
                                       Contact.objects.filter(pk__in=[keep.pk, lose.pk]))
    only_loser = services.resolve_recipients(make_send(sender=sender, name="Loser only"),
                                             Contact.objects.filter(pk=lose.pk))

    merge_records(keep, lose, actor=admin_user, choices={})

    assert Message.objects.get(send=only_loser).contact_id == keep.pk
    assert Message.objects.get(send=both, contact=keep).email == "kim@example.org"
    # The loser's copy of the shared send still counts, without a contact.
    assert Message.objects.filter(send=both).count() == 2
    assert Message.objects.get(send=both, email="kim.old@example.org").contact_id is None
