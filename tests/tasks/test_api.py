"""The tasks API: scopes, visibility (404 for others' tasks), filters, cursor pages with a
fixed number of queries, If-Match, and the task actions."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from clarion.api.services import create_api_key
from clarion.tasks import services
from clarion.tasks.models import Task
from tests.tasks.conftest import in_hours

pytestmark = pytest.mark.django_db
URL = "/api/v1/tasks"


def headers_for(user, *scopes):
    if "api.manage" not in user.role.capabilities:
        user.role.capabilities.append("api.manage")
        user.role.save(update_fields=["capabilities"])
    user.__dict__.pop("_clarion_capabilities", None)
    _key, secret = create_api_key(user=user, name="Test", scopes=list(scopes or (
        "tasks:read", "tasks:write")))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def ada_api(client, ada):
    headers = headers_for(ada)

    def call(method, path="", body=None, **extra):
        kwargs = {**headers, **extra}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(URL + path, **kwargs)

    return call


def test_creating_a_task_with_links_and_a_due_moment(ada_api, ada, bob, contact):
    response = ada_api("post", body={
        "title": "Send the contract", "kind": "email", "priority": "high",
        "assignee_id": bob.pk, "due_at": "2030-03-02T15:00:00+08:00",
        "time_zone": "Asia/Shanghai", "reminder": "60", "contact_ids": [contact.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignee_id"] == bob.pk and body["contact_ids"] == [contact.pk]
    assert body["due_at"].startswith("2030-03-02T07:00:00")
    assert body["status"] == "open"


def test_a_title_is_required(ada_api):
    response = ada_api("post", body={"kind": "call"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.title"


def test_linking_a_record_the_user_cannot_see_is_refused(ada_api, roles):
    from clarion.accounts.services import create_user
    from clarion.crm.models import Deal, Pipeline, Stage
    from clarion.crm.services import create_record

    other = create_user(email="zed@example.com", password="x", role=roles["Sales"])
    pipeline = Pipeline.objects.create(name="P", is_default=True)
    stage = Stage.objects.create(pipeline=pipeline, name="New", position=0)
    deal = create_record(Deal, actor=other, values={"owner": other, "name": "Secret",
                                                    "pipeline": pipeline, "stage": stage})
    response = ada_api("post", body={"title": "Peek", "deal_ids": [deal.pk]})
    assert response.status_code == 422
    assert not Task.objects.exists()


def test_others_tasks_are_not_found(ada_api, carol):
    task = services.create_task(actor=carol, title="Carol's")
    assert ada_api("get", f"/{task.pk}").status_code == 404
    assert ada_api("post", f"/{task.pk}/complete").status_code == 404
    assert ada_api("delete", f"/{task.pk}").status_code == 404


def test_the_list_filters_and_pages_in_a_fixed_number_of_queries(
        ada_api, ada, bob, contact, django_assert_max_num_queries):
    for number in range(7):
        services.create_task(actor=ada, title=f"Mine {number}", due_at=in_hours(number),
                             contacts=[contact])
    services.create_task(actor=ada, title="Bob's", assignee=bob)
    with django_assert_max_num_queries(9):
        first = ada_api("get", "?assignee=me&limit=5").json()
    assert len(first["results"]) == 5 and first["next"]
    second = ada_api("get", f"?assignee=me&limit=5&cursor={first['next']}").json()
    assert len(second["results"]) == 2 and second["next"] is None
    due_soon = ada_api("get", "?assignee=me&due_before=" + (
        timezone.now() + timedelta(hours=2, minutes=30)).isoformat().replace("+", "%2B")).json()
    assert len(due_soon["results"]) == 3
    for_contact = ada_api("get", f"?contact={contact.pk}").json()
    assert len(for_contact["results"]) == 7


def test_status_filter(ada_api, ada):
    done = services.create_task(actor=ada, title="Done")
    services.complete_task(done, actor=ada)
    services.create_task(actor=ada, title="Open")
    titles = {status: [t["title"] for t in ada_api("get", f"?status={status}").json()["results"]]
              for status in ("open", "completed")}
    assert titles == {"open": ["Open"], "completed": ["Done"]}


def test_update_with_if_match(ada_api, ada):
    task = services.create_task(actor=ada, title="Call")
    etag = ada_api("get", f"/{task.pk}")["ETag"]
    ok = ada_api("patch", f"/{task.pk}", {"title": "Call Grace"}, HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["title"] == "Call Grace"
    stale = ada_api("patch", f"/{task.pk}", {"title": "Call Ada"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert Task.objects.get(pk=task.pk).title == "Call Grace"


def test_complete_reopen_snooze_and_delete(ada_api, ada):
    task = services.create_task(actor=ada, title="Call", repeat="daily", due_at=in_hours(1))
    assert ada_api("post", f"/{task.pk}/complete").json()["status"] == "completed"
    assert Task.objects.filter(previous=task).count() == 1
    assert ada_api("post", f"/{task.pk}/reopen").json()["status"] == "open"
    until = (timezone.now() + timedelta(days=2)).isoformat()
    snoozed = ada_api("post", f"/{task.pk}/snooze", {"until": until})
    assert snoozed.status_code == 200
    past = ada_api("post", f"/{task.pk}/snooze", {"until": "2001-01-01T00:00:00Z"})
    assert past.status_code == 422
    assert ada_api("delete", f"/{task.pk}").status_code == 204
    assert not Task.objects.filter(pk=task.pk).exists()


def test_claiming_a_queued_task_twice_conflicts(ada_api, ada, bob, queue):
    task = services.create_task(actor=bob, title="Lead", queue=queue, assignee=None)
    assert ada_api("post", f"/{task.pk}/claim").json()["assignee_id"] == ada.pk
    assert ada_api("post", f"/{task.pk}/claim").status_code == 409


def test_a_read_only_key_cannot_write(client, ada):
    headers = headers_for(ada, "tasks:read")
    response = client.post(URL, data=json.dumps({"title": "x"}),
                           content_type="application/json", **headers)
    assert response.status_code == 403
