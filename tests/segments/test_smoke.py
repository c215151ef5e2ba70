from clarion.segments.models import Segment
from clarion.segments.services import create_segment, refresh_segment
from tests.segments.support import did, make_contact, member_ids, settle


def test_dynamic_segment_computes_members(db, admin_user):
    lead = make_contact(lifecycle_stage="lead")
    make_contact(lifecycle_stage="customer")
    did(lead, url="https://x.org/pricing")
    did(lead, url="https://x.org/pricing")
    segment = create_segment(actor=admin_user, name="Leads", kind=Segment.Kind.DYNAMIC,
                             definition={"all": [
                                 {"property": "lifecycle_stage", "op": "eq", "value": "lead"},
                                 {"event": "page.viewed", "count": {"gte": 2},
                                  "within_days": 30,
                                  "where": {"property": "url", "op": "contains",
                                            "value": "/pricing"}}]})
    assert member_ids(segment) == {lead.pk}
    assert segment.member_count == 1
    assert refresh_segment(segment) == (0, 0)
    settle()
