"""Demo collaboration data: loaded by `clarion demo` after the CRM's, once."""

import pytest
from django.core.management import call_command

from clarion.accounts.demo import load_demo_workspace
from clarion.collab import demo
from clarion.collab.models import Activity, Comment
from clarion.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_has_notes_calls_meetings_and_threads_with_mentions(db):
    call_command("demo", stdout=None)

    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert kinds == {"note", "call", "meeting"}
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Comment.objects.filter(body__contains="(user:").exists()
    assert Notification.objects.filter(kind="comment.mentioned").exists()


def test_loading_twice_adds_nothing(db):
    call_command("demo", stdout=None)
    before = Activity.objects.count(), Comment.objects.count()

    assert demo.load_demo(load_demo_workspace()) == ""
    assert (Activity.objects.count(), Comment.objects.count()) == before
