"""The demo segments: loaded by `clarion demo` on top of the CRM demo, with behaviour to match,
and loadable twice."""

import pytest
from django.core.management import call_command

from clarion.core.events.models import Event
from clarion.segments.demo import load_demo
from clarion.segments.models import Segment

pytestmark = pytest.mark.django_db


def test_demo_segments_have_members_and_the_demo_loads_twice():
    call_command("demo", stdout=None)
    segments = {s.name: s for s in Segment.objects.all()}
    assert set(segments) == {"Visited pricing 3+ times this month",
                             "Leads in software companies", "Quiet for 30 days",
                             "Event attendees"}
    assert Event.objects.filter(kind="page.viewed").count() > 100
    assert segments["Visited pricing 3+ times this month"].member_count > 0
    assert segments["Event attendees"].member_count == 12
    assert all(s.problem == "" for s in segments.values())
    assert load_demo([]) == ""
    assert Segment.objects.count() == 4
