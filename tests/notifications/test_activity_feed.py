"""The activity feed: what people did, filtered, paginated, leaving out hidden records."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clarion.accounts.services import create_team, create_user
from clarion.core.events import emit
from clarion.crm.models import Company, Deal
from clarion.crm.services import create_record, update_record

pytestmark = pytest.mark.django_db

FEED = reverse("notifications:activity")


@pytest.fixture
def colleague(roles):
    return create_user(email="cole@example.com", password="x", first_name="Cole",
                       role=roles["Sales"])


def sentences(response) -> list[str]:
    return [entry.sentence for entry in response.context["entries"]]


def test_the_feed_shows_what_people_did(admin_client, admin_user, pipeline):
    deal = create_record(Deal, actor=admin_user, values={
        "name": "Big order", "pipeline": pipeline, "stage": pipeline.stages.first()})
    won = pipeline.stages.get(outcome="won")
    update_record(deal, actor=admin_user, values={"stage": won})

    response = admin_client.get(FEED)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ada moved the deal from" in page and "Ada created this deal" in page
    assert "Big order" in page


def test_filter_by_kind_won(admin_client, admin_user, pipeline):
    deal = create_record(Deal, actor=admin_user, values={
        "name": "Big order", "pipeline": pipeline, "stage": pipeline.stages.first()})
    update_record(deal, actor=admin_user, values={"stage": pipeline.stages.get(outcome="won")})
    create_record(Company, actor=admin_user, values={"name": "Acme"})

    response = admin_client.get(FEED, {"kind": "won"})

    assert len(response.context["entries"]) == 1
    assert response.context["entries"][0].event.kind == "deal.stage_changed"


def test_filter_by_person_and_team(admin_client, admin_user, colleague):
    create_record(Company, actor=admin_user, values={"name": "By Ada"})
    create_record(Company, actor=colleague, values={"name": "By Cole", "owner": admin_user})
    team = create_team(name="North", members=[colleague])

    by_person = admin_client.get(FEED, {"person": colleague.pk})
    by_team = admin_client.get(FEED, {"team": team.pk})

    assert [e.subject_label for e in by_person.context["entries"]] == ["By Cole"]
    assert [e.subject_label for e in by_team.context["entries"]] == ["By Cole"]


def test_filter_by_date_range(admin_client, admin_user):
    company = Company.objects.create(name="Old news", owner=admin_user)
    with transaction.atomic():
        emit("company.created", subject=company, actor=admin_user,
             occurred_at=timezone.now() - timedelta(days=30))

    assert admin_client.get(FEED).context["entries"] == []
    since = (timezone.localdate() - timedelta(days=31)).isoformat()
    until = (timezone.localdate() - timedelta(days=29)).isoformat()
    response = admin_client.get(FEED, {"since": since, "until": until})
    assert [e.subject_label for e in response.context["entries"]] == ["Old news"]


def test_events_about_records_the_viewer_cannot_see_are_left_out(client, admin_user,
                                                                 sales_user, pipeline):
    create_record(Deal, actor=admin_user, values={
        "name": "Secret merger", "pipeline": pipeline, "stage": pipeline.stages.first(),
        "owner": admin_user})
    create_record(Deal, actor=admin_user, values={
        "name": "Sam's deal", "pipeline": pipeline, "stage": pipeline.stages.first(),
        "owner": sales_user})
    client.force_login(sales_user)

    page = client.get(FEED).content.decode()

    assert "Sam&#x27;s deal" in page or "Sam's deal" in page
    assert "Secret merger" not in page


def test_pages_follow_the_cursor_in_few_queries(admin_client, admin_user,
                                                django_assert_max_num_queries):
    for number in range(45):
        create_record(Company, actor=admin_user, values={"name": f"Company {number}"})

    with django_assert_max_num_queries(16):
        first = admin_client.get(FEED)
    second = admin_client.get(FEED, {"cursor": first.context["next_cursor"]})

    names = [e.subject_label for e in first.context["entries"] + second.context["entries"]]
    assert len(names) == len(set(names)) == 45
    assert second.context["next_cursor"] == ""


def test_the_feed_is_closed_to_guests(guest_client):
    assert guest_client.get(FEED).status_code == 404


def test_a_completed_task_shows_once_and_only_to_who_may_see_it(client, admin_client,
                                                                admin_user, sales_user):
    from clarion.tasks.services import complete_task, create_task

    first = Company.objects.create(name="First", owner=sales_user)
    second = Company.objects.create(name="Second", owner=sales_user)
    task = create_task(actor=admin_user, title="Send the contract",
                       companies=[first, second])
    complete_task(task, actor=admin_user)

    completed = [e for e in admin_client.get(FEED, {"kind": "tasks"}).context["entries"]]
    client.force_login(sales_user)
    seen_by_sam = client.get(FEED, {"kind": "tasks"}).context["entries"]

    assert [e.event.kind for e in completed] == ["task.completed"]
    assert seen_by_sam == []


def test_filter_by_my_teams(client, admin_user, colleague, sales_user):
    create_team(name="North", members=[colleague, sales_user])
    create_record(Company, actor=admin_user, values={"name": "By Ada", "owner": sales_user})
    create_record(Company, actor=colleague, values={"name": "By Cole", "owner": sales_user})
    client.force_login(sales_user)

    response = client.get(FEED, {"team": "mine"})

    assert [e.subject_label for e in response.context["entries"]] == ["By Cole"]
