"""The tasks pages: views and counts, who sees what, the row actions (htmx and plain), the
new-task form and dialog, the record panel and the "Create tasks" list action."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clarion.tasks import services
from clarion.tasks.models import Task
from tests.tasks.conftest import PASSWORD, in_hours

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ada_client(client, ada):
    client.login(email=ada.email, password=PASSWORD)
    return client


def test_my_tasks_lists_open_tasks_with_counts_in_the_tabs(ada_client, ada):
    services.create_task(actor=ada, title="Due today", due_at=in_hours(0.5))
    services.create_task(actor=ada, title="Late", due_at=in_hours(-30))
    services.create_task(actor=ada, title="Later", due_at=in_hours(24 * 5))
    done = services.create_task(actor=ada, title="Finished")
    services.complete_task(done, actor=ada)
    response = ada_client.get(reverse("tasks:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Due today" in body and "Late" in body and "Later" in body
    assert "Finished" not in body
    counts = response.context["counts"]
    assert counts["mine"] == 3 and counts["overdue"] == 1 and counts["upcoming"] == 1


def test_today_is_the_users_day_in_their_time_zone(ada):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from clarion.tasks.queries import view_conditions

    now = datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    services.create_task(actor=ada, title="Evening call",
                         due_at=datetime(2026, 6, 1, 20, 0, tzinfo=ZoneInfo("UTC")))
    for zone, expected in (("America/New_York", ["Evening call"]), ("Asia/Shanghai", [])):
        today = view_conditions(ada, ZoneInfo(zone), now)["today"]
        assert [t.title for t in Task.objects.filter(today)] == expected, zone


def test_the_time_zone_cookie_sets_the_days_of_the_views(client, ada):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14
    tomorrow_there = timezone.localtime(timezone.now(), zone) + timedelta(days=1)
    services.create_task(actor=ada, title="Tomorrow there", due_at=tomorrow_there)
    client.login(email=ada.email, password=PASSWORD)
    client.cookies["clarion_tz"] = "Pacific/Kiritimati"
    assert client.get(reverse("tasks:view", args=["today"])).context["tasks"] == []
    upcoming = client.get(reverse("tasks:view", args=["upcoming"])).context["tasks"]
    assert [t.title for t in upcoming] == ["Tomorrow there"]


def test_filters_by_type_and_priority(ada_client, ada):
    services.create_task(actor=ada, title="A call", kind="call", priority="high")
    services.create_task(actor=ada, title="An email", kind="email")
    response = ada_client.get(reverse("tasks:list"), {"type": "call", "priority": "high"})
    assert [t.title for t in response.context["tasks"]] == ["A call"]


def test_the_list_reads_a_fixed_number_of_queries(ada_client, ada, contact, company,
                                                  django_assert_max_num_queries):
    for number in range(30):
        services.create_task(actor=ada, title=f"Task {number}", due_at=in_hours(number),
                             contacts=[contact], companies=[company])
    with django_assert_max_num_queries(14):
        response = ada_client.get(reverse("tasks:list"))
    assert len(response.context["tasks"]) == 30


def test_someone_outside_the_team_cannot_see_or_touch_a_task(client, ada, carol):
    task = services.create_task(actor=ada, title="Private")
    client.login(email=carol.email, password=PASSWORD)
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("tasks:complete", args=[task.pk])).status_code == 404
    assert client.post(reverse("tasks:delete", args=[task.pk])).status_code == 404
    assert Task.objects.get(pk=task.pk).is_open


def test_the_team_view_needs_the_capability(client, ada, bob, manager):
    services.create_task(actor=bob, title="Bob's call")
    client.login(email=ada.email, password=PASSWORD)
    assert client.get(reverse("tasks:view", args=["team"])).status_code == 403
    client.login(email=manager.email, password=PASSWORD)
    response = client.get(reverse("tasks:view", args=["team"]))
    assert [t.title for t in response.context["tasks"]] == ["Bob's call"]


def test_queues_show_unassigned_tasks_to_the_team_and_claiming_takes_one(client, ada, bob,
                                                                         queue):
    task = services.create_task(actor=ada, title="New lead", queue=queue, assignee=None)
    client.login(email=bob.email, password=PASSWORD)
    response = client.get(reverse("tasks:view", args=["queues"]))
    assert [t.title for t in response.context["tasks"]] == ["New lead"]
    claimed = client.post(reverse("tasks:claim", args=[task.pk]), {"view": "queues"}, **HTMX)
    assert claimed.status_code == 200
    assert Task.objects.get(pk=task.pk).assignee == bob
    assert 'id="task-tabs"' in claimed.content.decode()


def test_completing_with_htmx_returns_the_row_and_the_counts(ada_client, ada):
    task = services.create_task(actor=ada, title="Call back")
    response = ada_client.post(reverse("tasks:complete", args=[task.pk]), {"view": "mine"},
                               **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Reopen “Call back”" in body
    assert 'hx-swap-oob="true"' in body
    assert "completed" in response["HX-Trigger"]
    reopened = ada_client.post(reverse("tasks:reopen", args=[task.pk]), **HTMX)
    assert "Complete “Call back”" in reopened.content.decode()
    assert Task.objects.get(pk=task.pk).is_open


def test_completing_without_htmx_goes_back(ada_client, ada):
    task = services.create_task(actor=ada, title="Call back")
    response = ada_client.post(reverse("tasks:complete", args=[task.pk]),
                               {"next": "/tasks/view/today/"})
    assert response.status_code == 302 and response["Location"] == "/tasks/view/today/"


def test_snooze_to_tomorrow_keeps_the_time_of_day(ada_client, ada):
    task = services.create_task(actor=ada, title="Call", due_at=in_hours(2))
    ada_client.post(reverse("tasks:snooze", args=[task.pk]), {"until": "tomorrow"}, **HTMX)
    snoozed = Task.objects.get(pk=task.pk)
    assert snoozed.due_at.time() == task.due_at.time()
    assert snoozed.due_at.date() == (timezone.localdate() + timedelta(days=1))


def test_snooze_to_a_date(ada_client, ada):
    task = services.create_task(actor=ada, title="Call")
    day = timezone.localdate() + timedelta(days=10)
    ada_client.post(reverse("tasks:snooze", args=[task.pk]),
                    {"until": "date", "date": day.isoformat()}, **HTMX)
    assert Task.objects.get(pk=task.pk).due_at.date() == day


def test_reassigning_from_the_row(ada_client, ada, bob):
    task = services.create_task(actor=ada, title="Call")
    response = ada_client.post(reverse("tasks:reassign", args=[task.pk]),
                               {"assignee": bob.pk}, **HTMX)
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).assignee == bob


def test_deleting_from_the_row_removes_it(ada_client, ada):
    task = services.create_task(actor=ada, title="Call")
    response = ada_client.post(reverse("tasks:delete", args=[task.pk]), {"view": "mine"},
                               **HTMX)
    assert response.status_code == 200
    assert 'id="task-' not in response.content.decode().split("task-tabs")[0]
    assert not Task.objects.exists()


def test_a_teammate_who_only_sees_a_task_may_not_delete_it(client, ada, manager):
    task = services.create_task(actor=ada, title="Call")
    client.login(email=manager.email, password=PASSWORD)
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
    assert client.post(reverse("tasks:delete", args=[task.pk])).status_code == 403


def test_creating_a_task_from_the_form_in_the_users_time_zone(client, ada, contact):
    client.login(email=ada.email, password=PASSWORD)
    client.cookies["clarion_tz"] = "Asia/Shanghai"
    day = timezone.localdate() + timedelta(days=2)
    response = client.post(reverse("tasks:new"), {
        "title": "Send the proposal", "kind": "email", "priority": "high",
        "assignee": ada.pk, "due_date": day.isoformat(), "due_time": "15:30",
        "reminder": "60", "contacts": [contact.pk], "next": "/tasks/"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.time_zone == "Asia/Shanghai"
    assert task.due_at.astimezone(timezone.get_fixed_timezone(480)).strftime("%H:%M") == "15:30"
    assert list(task.contacts.all()) == [contact]


def test_the_form_explains_a_missing_title(ada_client):
    response = ada_client.post(reverse("tasks:new"), {"title": "", "kind": "todo",
                                                       "priority": "normal"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_shortcut_dialog_prelinks_the_record(ada_client, contact):
    response = ada_client.get(reverse("tasks:new"), {"dialog": "1",
                                                     "link": f"contact:{contact.pk}"})
    body = response.content.decode()
    assert "<dialog" in body and f'value="{contact.pk}" selected' in body


def test_editing_a_task(ada_client, ada):
    task = services.create_task(actor=ada, title="Call")
    response = ada_client.post(reverse("tasks:edit", args=[task.pk]), {
        "title": "Call Grace", "kind": "call", "priority": "low", "assignee": ada.pk,
        "version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.kind, task.priority) == ("Call Grace", "call", "low")


def test_the_record_page_shows_its_open_tasks_and_a_quick_add(ada_client, ada, contact,
                                                              django_assert_max_num_queries):
    services.create_task(actor=ada, title="Call Grace", contacts=[contact])
    url = reverse("crm:contact_detail", args=[contact.pk])
    body = ada_client.get(url).content.decode()
    assert "Call Grace" in body and 'data-task-link="contact:' in body
    response = ada_client.post(reverse("tasks:new"), {
        "title": "Quick one", "kind": "todo", "priority": "normal", "assignee": ada.pk,
        "contacts": contact.pk, "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert Task.objects.get(title="Quick one").contacts.get() == contact


def test_the_list_action_creates_one_task_per_selected_record(ada_client, ada, contact):
    response = ada_client.post(reverse("tasks:create_for_records") + "?type=contact", {
        "ids": [contact.pk], "task_title": "Check in", "task_assignee": "owner",
        "task_kind": "call", "task_priority": "normal", "confirm": "yes"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.title == "Check in" and task.assignee == ada and task.kind == "call"
    assert list(task.contacts.all()) == [contact]


def test_the_task_page_shows_comments_and_files(ada_client, ada, contact):
    task = services.create_task(actor=ada, title="Call back", contacts=[contact],
                                notes="Ask about the budget")
    body = ada_client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "Ask about the budget" in body and "Grace Hopper" in body
    assert "Comments" in body and "Files" in body


def test_people_who_manage_teams_add_queues(client, admin_user, ada, team):
    from clarion.tasks.models import TaskQueue

    client.login(email=ada.email, password=PASSWORD)
    assert client.post(reverse("tasks:queue_create"), {"name": "X", "team": team.pk}
                       ).status_code == 403
    client.force_login(admin_user)
    response = client.post(reverse("tasks:queue_create"), {"name": "Renewals",
                                                           "team": team.pk})
    assert response.status_code == 302
    assert TaskQueue.objects.get().team == team
    client.post(reverse("tasks:queue_create"), {"name": "renewals", "team": team.pk})
    assert TaskQueue.objects.count() == 1
    page = client.get(reverse("tasks:view", args=["queues"])).content.decode()
    assert "Renewals" in page


def test_editing_keeps_links_to_records_the_editor_cannot_see(client, ada, bob, roles):
    from clarion.crm.models import Deal, Pipeline, Stage
    from clarion.crm.services import create_record

    pipeline = Pipeline.objects.create(name="P", is_default=True)
    stage = Stage.objects.create(pipeline=pipeline, name="New", position=0)
    deal = create_record(Deal, actor=ada, values={"owner": ada, "name": "Ada's deal",
                                                  "pipeline": pipeline, "stage": stage})
    task = services.create_task(actor=ada, title="Call", assignee=bob, deals=[deal])
    client.login(email=bob.email, password=PASSWORD)  # Sales: sees only own deals
    response = client.post(reverse("tasks:edit", args=[task.pk]), {
        "title": "Call soon", "kind": "call", "priority": "normal", "assignee": bob.pk})
    assert response.status_code == 302
    assert list(Task.objects.get(pk=task.pk).deals.all()) == [deal]


def test_contact_lists_offer_the_create_tasks_action(ada_client, contact):
    body = ada_client.get(reverse("crm:contact_list")).content.decode()
    assert 'id="list-action-create-tasks"' in body
    assert "Each record&#x27;s owner" in body or "Each record's owner" in body
    assert reverse("tasks:create_for_records") + "?type=contact" in body


def test_the_list_action_refuses_more_records_than_it_may_create(ada_client, contact,
                                                                  monkeypatch):
    monkeypatch.setattr("clarion.tasks.views.BULK_LIMIT", 0)
    response = ada_client.post(reverse("tasks:create_for_records") + "?type=contact", {
        "ids": [contact.pk], "task_title": "Check in", "task_assignee": "owner",
        "confirm": "yes"}, follow=True)
    assert "Select at most 0 records" in response.content.decode()
    assert not Task.objects.exists()
