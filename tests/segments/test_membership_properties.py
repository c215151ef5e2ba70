"""Property-based check of the incremental path: after any generated sequence of property
changes, behaviour events, company changes and list edits, each processed by the event
handlers as they arrive, the stored membership of every segment equals a fresh evaluation
of its definition, its member count is right, and its joined/left events tell the same
story exactly once per change."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarion.core.events.models import Event
from clarion.core.filters import compile_filter
from clarion.crm.models import Company, Contact
from clarion.crm.services import update_record
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment, remove_members
from tests.segments.support import did, make_contact, member_ids, settle

pytestmark = pytest.mark.django_db

STAGES = ["subscriber", "lead", "customer"]
PEOPLE = 3

actions = st.lists(st.one_of(
    st.tuples(st.just("stage"), st.integers(0, PEOPLE - 1), st.sampled_from(STAGES)),
    st.tuples(st.just("visit"), st.integers(0, PEOPLE - 1),
              st.sampled_from(["/pricing", "/blog"]), st.sampled_from([0, 3, 12, 45])),
    st.tuples(st.just("submit"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("industry"), st.sampled_from(["Technology", "Retail"])),
    st.tuples(st.just("employ"), st.integers(0, PEOPLE - 1), st.booleans()),
    st.tuples(st.just("list"), st.integers(0, PEOPLE - 1), st.booleans()),
    st.tuples(st.just("new"), st.sampled_from(STAGES)),
), max_size=12)


def definitions(attendees: Segment) -> dict[str, dict]:
    pricing = {"property": "url", "op": "contains", "value": "/pricing"}
    return {
        "hot": {"all": [{"property": "lifecycle_stage", "op": "eq", "value": "lead"},
                        {"event": "page.viewed", "where": pricing, "count": {"gte": 2},
                         "within_days": 30}]},
        "quiet": {"event": "page.viewed", "within_days": 7, "negate": True},
        "few": {"event": "page.viewed", "count": {"between": [1, 2]}},
        "tech": {"association": "company", "where": {"property": "industry", "op": "eq",
                                                     "value": "Technology"}},
        "attending": {"all": [{"segment": attendees.pk, "op": "in"},
                              {"property": "lifecycle_stage", "op": "neq",
                               "value": "customer"},
                              {"event": "form.submitted", "count": {"lte": 0}}]},
    }


def nested(segments: dict[str, Segment]) -> dict:
    return {"any": [{"segment": segments["hot"].pk}, {"segment": segments["tech"].pk}]}


def apply(action, people, company, attendees, admin) -> None:
    kind, *args = action
    if kind == "stage":
        person = Contact.objects.get(pk=people[args[0]].pk)
        update_record(person, actor=admin, values={"lifecycle_stage": args[1]},
                      allow_lifecycle_backward=True)
    elif kind == "visit":
        did(people[args[0]], url=f"https://x.org{args[1]}", days_ago=args[2])
    elif kind == "submit":
        did(people[args[0]], "form.submitted", form="Demo")
    elif kind == "industry":
        update_record(Company.objects.get(pk=company.pk), actor=admin,
                      values={"industry": args[0]})
    elif kind == "employ":
        person = Contact.objects.get(pk=people[args[0]].pk)
        update_record(person, actor=admin, values={"company": company if args[1] else None})
    elif kind == "list":
        change = add_members if args[1] else remove_members
        change(attendees, [people[args[0]].pk], actor=admin)
    elif kind == "new":
        people.append(make_contact(lifecycle_stage=args[0]))


def assert_consistent(segment: Segment) -> None:
    segment.refresh_from_db()
    fresh = set(Contact.objects.filter(compile_filter(segment.definition, Contact))
                .values_list("pk", flat=True))
    stored = member_ids(segment)
    assert stored == fresh, (segment.name, segment.definition)
    assert segment.member_count == len(stored), segment.name
    balance: dict[int, int] = {}
    for kind, contact_id in (Event.objects.filter(subject_id=segment.pk,
                                                  kind__in=["segment.joined", "segment.left"])
                             .order_by("id").values_list("kind", "contact_id")):
        balance[contact_id] = balance.get(contact_id, 0) + (1 if kind == "segment.joined"
                                                            else -1)
        assert balance[contact_id] in (0, 1), (segment.name, "joined or left twice")
    assert {pk for pk, inside in balance.items() if inside} == stored, segment.name


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=actions)
def test_incremental_membership_equals_a_fresh_evaluation(admin_user, steps):
    with transaction.atomic():
        company = Company.objects.create(name="Acme", industry="Retail")
        people = [make_contact(lifecycle_stage=STAGES[n % 3]) for n in range(PEOPLE)]
        attendees = create_segment(actor=admin_user, name="Attendees", kind="static")
        segments = {name: create_segment(actor=admin_user, name=name, kind="dynamic",
                                         definition=definition)
                    for name, definition in definitions(attendees).items()}
        segments["nested"] = create_segment(actor=admin_user, name="nested", kind="dynamic",
                                            definition=nested(segments))
        settle()
        for action in steps:
            apply(action, people, company, attendees, admin_user)
            settle()
        for segment in segments.values():
            assert_consistent(segment)
        transaction.set_rollback(True)
