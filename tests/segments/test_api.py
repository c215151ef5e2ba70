"""The segments API: CRUD, members (cursor pages, visibility), static list changes by id or
email, refresh, counting a definition; scopes and capabilities; query counts."""

import pytest

from clarion.accounts.models import Role
from clarion.accounts.services import create_user
from clarion.segments.models import Segment
from clarion.segments.services import add_members, create_segment
from tests.crm.api_support import key_for
from tests.segments.support import events_of, make_contact, member_ids

pytestmark = pytest.mark.django_db

LEADS = {"property": "lifecycle_stage", "op": "eq", "value": "lead"}
JSON = "application/json"


@pytest.fixture
def admin_headers(admin_user):
    return key_for(admin_user, "segments:read", "segments:write", "contacts:read")


@pytest.fixture
def own_only_user(roles):
    role = Role.objects.create(name="Own contacts", capabilities=["contacts.view_own"])
    return create_user(email="own@example.com", password="correct horse battery",
                       first_name="Olive", role=role)


def test_create_read_update_delete_a_dynamic_segment(client, admin_user, admin_headers):
    ada = make_contact(lifecycle_stage="lead")
    created = client.post("/api/v1/segments", {"name": "Leads", "definition": LEADS},
                          content_type=JSON, HTTP_IDEMPOTENCY_KEY="k1", **admin_headers)
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "dynamic" and body["member_count"] == 1 and body["problem"] == ""
    again = client.post("/api/v1/segments", {"name": "Leads", "definition": LEADS},
                        content_type=JSON, HTTP_IDEMPOTENCY_KEY="k1", **admin_headers)
    assert again.json()["id"] == body["id"] and Segment.objects.count() == 1

    url = f"/api/v1/segments/{body['id']}"
    assert client.get(url, **admin_headers).json()["name"] == "Leads"
    patched = client.patch(url, {"name": "Customers", "definition": {
        "property": "lifecycle_stage", "op": "eq", "value": "customer"}},
        content_type=JSON, **admin_headers)
    assert patched.status_code == 200
    assert patched.json()["name"] == "Customers" and patched.json()["member_count"] == 0
    assert len(events_of("segment.left", Segment.objects.get())) == 1
    assert client.delete(url, **admin_headers).status_code == 204
    assert client.get(url, **admin_headers).status_code == 404
    assert ada.pk  # the contact stays


def test_invalid_definitions_answer_422_naming_the_leaf(client, admin_headers):
    response = client.post("/api/v1/segments", {"name": "Bad", "definition": {"all": [
        LEADS, {"event": "page.viewed", "count": {"gte": -2}}]}},
        content_type=JSON, **admin_headers)
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "body.definition"
    assert "filter.all[1] (event 'page.viewed')" in detail["message"]


def test_members_are_cursor_paginated_and_respect_visibility(
        client, admin_user, admin_headers, own_only_user, django_assert_max_num_queries):
    mine = [make_contact(owner=own_only_user, lifecycle_stage="lead") for _ in range(3)]
    others = [make_contact(owner=admin_user, lifecycle_stage="lead") for _ in range(2)]
    segment = create_segment(actor=admin_user, name="Leads", kind="dynamic", definition=LEADS)
    url = f"/api/v1/segments/{segment.pk}/members?limit=2"

    seen, next_url = [], url
    while next_url:
        with django_assert_max_num_queries(8):
            page = client.get(next_url, **admin_headers).json()
        seen += [c["id"] for c in page["results"]]
        next_url = page["next"] and f"{url}&cursor={page['next']}"
    assert sorted(seen) == sorted(c.pk for c in mine + others)

    own_headers = key_for(own_only_user, "segments:read")
    listing = client.get("/api/v1/segments", **own_headers).json()
    assert [s["member_count"] for s in listing["results"]] == [5]  # the size counts everyone
    members = client.get(url.replace("limit=2", "limit=50"), **own_headers).json()
    assert sorted(c["id"] for c in members["results"]) == sorted(c.pk for c in mine)


def test_reading_needs_contact_visibility_and_writing_needs_segments_manage(
        client, admin_user, sales_user):
    segment = create_segment(actor=admin_user, name="Leads", kind="dynamic", definition=LEADS)
    from clarion.api.services import InvalidScopes

    with pytest.raises(InvalidScopes):  # a role without segments.manage can't get the scope
        key_for(sales_user, "segments:read", "segments:write")
    sales = key_for(sales_user, "segments:read")
    assert client.get("/api/v1/segments", **sales).status_code == 200
    assert client.get(f"/api/v1/segments/{segment.pk}", **sales).status_code == 200
    assert client.post("/api/v1/segments", {"name": "Mine", "definition": LEADS},
                       content_type=JSON, **sales).status_code == 403
    assert client.delete(f"/api/v1/segments/{segment.pk}", **sales).status_code == 403
    assert Segment.objects.count() == 1


def test_static_lists_add_and_remove_by_id_or_email(client, admin_user, admin_headers,
                                                    own_only_user):
    ada = make_contact(email="Ada@Example.org")
    bob = make_contact(email="bob@example.org")
    created = client.post("/api/v1/segments", {"name": "Attendees", "kind": "static"},
                          content_type=JSON, **admin_headers).json()
    url = f"/api/v1/segments/{created['id']}/members"
    added = client.post(url, {"contact_ids": [bob.pk], "emails": ["ada@example.ORG"]},
                        content_type=JSON, **admin_headers)
    assert added.json() == {"changed": 2, "member_count": 2}
    assert client.post(url, {"contact_ids": [bob.pk]}, content_type=JSON,
                       **admin_headers).json() == {"changed": 0, "member_count": 2}
    missing = client.post(url, {"emails": ["nobody@example.org"]}, content_type=JSON,
                          **admin_headers)
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "body.emails"
    removed = client.post(f"{url}/remove", {"contact_ids": [ada.pk]}, content_type=JSON,
                          **admin_headers)
    assert removed.json() == {"changed": 1, "member_count": 1}
    assert member_ids(Segment.objects.get()) == {bob.pk}

    dynamic = create_segment(actor=admin_user, name="Leads", kind="dynamic", definition=LEADS)
    refused = client.post(f"/api/v1/segments/{dynamic.pk}/members",
                          {"contact_ids": [ada.pk]}, content_type=JSON, **admin_headers)
    assert refused.status_code == 409


def test_refresh_and_count_with_preview(client, admin_user, admin_headers):
    segment = create_segment(actor=admin_user, name="Leads", kind="dynamic", definition=LEADS)
    ada = make_contact(lifecycle_stage="lead")
    refreshed = client.post(f"/api/v1/segments/{segment.pk}/refresh", **admin_headers).json()
    assert refreshed == {"joined": 1, "left": 0, "member_count": 1, "problem": ""}

    counted = client.post("/api/v1/segments/count", {"definition": LEADS, "preview": 5},
                          content_type=JSON, **admin_headers).json()
    assert counted["count"] == 1 and [c["id"] for c in counted["preview"]] == [ada.pk]
    kinds = client.get("/api/v1/segments/event-kinds", **admin_headers).json()
    assert {"kind": "page.viewed", "label": "Viewed a page"} in kinds
    history = client.get(f"/api/v1/segments/{segment.pk}/history", **admin_headers).json()
    assert [h["size"] for h in history] == [0, 1]


def test_segment_list_query_count_does_not_grow(client, admin_user, admin_headers,
                                                django_assert_max_num_queries):
    for n in range(5):
        static = create_segment(actor=admin_user, name=f"List {n}", kind="static")
        add_members(static, [make_contact().pk], actor=admin_user)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/segments?limit=100", **admin_headers)
    assert len(response.json()["results"]) == 5
