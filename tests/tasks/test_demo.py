"""The demo tasks: realistic, spread across the team, loaded once."""

import pytest
from django.utils import timezone

from clarion.accounts.demo import load_demo_workspace
from clarion.crm.demo import load_demo_records
from clarion.tasks.demo import load_demo
from clarion.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_demo_tasks_are_varied_linked_and_loaded_once():
    people = load_demo_workspace()
    load_demo_records(people)
    assert "demo tasks loaded" in load_demo(people)
    assert load_demo(people) == ""
    tasks = Task.objects.all()
    assert 25 <= tasks.count() <= 40
    assert tasks.filter(completed_at__isnull=True, due_at__lt=timezone.now()).exists()
    assert tasks.exclude(repeat="").exists()
    assert tasks.filter(assignee__isnull=True, queue__isnull=False).count() == 3
    assert tasks.filter(completed_at__isnull=False).count() >= 5
    assert tasks.filter(contacts__isnull=False).exists()
    assert tasks.filter(deals__isnull=False).exists()
    assert len(set(tasks.values_list("assignee", flat=True))) >= 3
