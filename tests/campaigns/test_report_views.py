"""The report pages: the report itself, the contacts behind each number (only those the
viewer may see) with export, and the per-contact trace; all behind `marketing.manage`."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clarion.accounts.services import create_user
from clarion.integrations.models import ExportJob
from clarion.sending.models import Message
from tests.campaigns.test_reports import add_message, email_events, make_campaign, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])


@pytest.fixture
def sent_campaign():
    campaign = make_campaign()
    now = timezone.now()
    for index in range(5):
        message = add_message(campaign, opened_at=now if index < 3 else None,
                              open_count=1 if index < 3 else 0)
        if index == 0:
            email_events(message, "email.opened", campaign.send.started_at + timedelta(hours=1))
            email_events(message, "email.clicked", campaign.send.started_at + timedelta(hours=1),
                         url="https://example.com/pricing", link=0)
    add_message(campaign, status=Message.Status.SKIPPED, reason="unsubscribed")
    return campaign


def test_the_report_shows_numbers_chart_links_and_drill_links(client, marketer, sent_campaign):
    client.force_login(marketer)
    response = client.get(reverse("campaign_reports:report", args=[sent_campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "60.0%" in html  # 3 of 5 delivered opened
    assert 'class="report-chart"' in html and "https://example.com/pricing" in html
    drill = reverse("campaign_reports:contacts", args=[sent_campaign.pk])
    assert f"{drill}?metric=opened" in html
    assert f"{drill}?metric=skipped&amp;reason=unsubscribed" in html


def test_the_report_page_query_count_does_not_grow_with_messages(
        client, marketer, sent_campaign, django_assert_max_num_queries):
    client.force_login(marketer)
    url = reverse("campaign_reports:report", args=[sent_campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for _index in range(20):
        add_message(sent_campaign)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_people_without_marketing_may_not_see_reports(client, sales_user, sent_campaign):
    client.force_login(sales_user)
    for url in (reverse("campaign_reports:report", args=[sent_campaign.pk]),
                reverse("campaign_reports:contacts", args=[sent_campaign.pk]),
                reverse("campaign_reports:trace", args=[sent_campaign.pk, 1])):
        assert client.get(url).status_code == 403


def test_drill_down_lists_the_contacts_behind_a_number(client, marketer, sent_campaign):
    client.force_login(marketer)
    response = client.get(reverse("campaign_reports:contacts", args=[sent_campaign.pk]),
                          {"metric": "opened"})
    assert response.status_code == 200
    assert len(response.context["messages_page"]) == 3
    assert all(m.opened_at for m in response.context["messages_page"])
    assert client.get(reverse("campaign_reports:contacts", args=[sent_campaign.pk]),
                      {"metric": "nonsense"}).status_code == 404


def test_drill_down_leaves_out_contacts_the_viewer_may_not_see(client, roles, sent_campaign):
    own_only = roles["Marketing"]
    own_only.capabilities = [c for c in own_only.capabilities
                             if not c.startswith("contacts.")] + ["contacts.view_own"]
    own_only.save()
    viewer = create_user(email="olga@example.com", password="correct horse battery",
                         role=own_only)
    mine = make_contact(owner=viewer)
    add_message(sent_campaign, mine, opened_at=timezone.now(), open_count=1)
    client.force_login(viewer)
    response = client.get(reverse("campaign_reports:contacts", args=[sent_campaign.pk]),
                          {"metric": "opened"})
    assert [m.contact_id for m in response.context["messages_page"]] == [mine.pk]
    hidden = sent_campaign.send.messages.exclude(contact=mine).first().contact_id
    assert client.get(reverse("campaign_reports:trace",
                              args=[sent_campaign.pk, hidden])).status_code == 404


def test_drill_down_pages_with_a_cursor_in_few_queries(
        client, marketer, sent_campaign, django_assert_max_num_queries, monkeypatch):
    from clarion.campaigns import report_views

    monkeypatch.setattr(report_views, "PAGE_SIZE", 2)
    client.force_login(marketer)
    url = reverse("campaign_reports:contacts", args=[sent_campaign.pk])
    with django_assert_max_num_queries(8):
        first = client.get(url, {"metric": "sent"})
    seen = [m.pk for m in first.context["messages_page"]]
    cursor = first.context["next_cursor"]
    while cursor:
        page = client.get(url, {"metric": "sent", "after": cursor})
        seen += [m.pk for m in page.context["messages_page"]]
        cursor = page.context["next_cursor"]
    assert sorted(seen) == sorted(sent_campaign.send.messages.filter(
        status=Message.Status.SENT).values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 5


def test_export_queues_an_export_of_the_contacts_behind_the_number(
        client, marketer, sent_campaign):
    client.force_login(marketer)
    response = client.post(reverse("campaign_reports:export", args=[sent_campaign.pk]),
                           {"metric": "opened"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    opened = sent_campaign.send.messages.filter(opened_at__isnull=False)
    assert job.object_type == "contact" and job.owner == marketer
    assert sorted(job.record_ids) == sorted(opened.values_list("contact_id", flat=True))


def test_the_trace_page_explains_a_skipped_contact(client, marketer, sent_campaign):
    skipped = sent_campaign.send.messages.get(status=Message.Status.SKIPPED)
    client.force_login(marketer)
    response = client.get(reverse("campaign_reports:trace",
                                  args=[sent_campaign.pk, skipped.contact_id]))
    assert response.status_code == 200
    assert "had unsubscribed from this kind of email" in response.content.decode()


def test_an_unsent_campaign_shows_an_empty_report(client, marketer):
    from clarion.campaigns.models import Campaign

    draft = Campaign.objects.create(name="Draft")
    client.force_login(marketer)
    response = client.get(reverse("campaign_reports:report", args=[draft.pk]))
    assert response.status_code == 200
    assert "Nothing to report yet" in response.content.decode()
    assert client.get(reverse("campaign_reports:contacts", args=[draft.pk])).status_code == 404
