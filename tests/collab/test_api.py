import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clarion.collab import services
from clarion.collab.mentions import mention_token
from clarion.collab.models import Activity, Attachment, Comment
from clarion.collab.services import ActivityInput, Links
from clarion.notifications.models import Notification
from tests.crm.api_support import key_for, make_deal

pytestmark = pytest.mark.django_db

SCOPES = ("contacts:read", "contacts:write", "companies:read", "companies:write",
          "deals:read", "deals:write")


@pytest.fixture
def headers(sales_user):
    return key_for(sales_user, *SCOPES)


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_a_note_is_created_on_a_contact_and_its_company(client, headers, sales_user, contact,
                                                         company):
    response = post(client, "/api/v1/notes", {
        "body": "<p>Hello <script>x()</script><strong>team</strong></p>",
        "contact_ids": [contact.pk], "company_ids": [company.pk], "pinned": True}, headers)

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "note" and body["pinned"] is True
    assert body["body"] == "<p>Hello <strong>team</strong></p>"
    assert body["contact_ids"] == [contact.pk] and body["company_ids"] == [company.pk]
    assert body["author_id"] == sales_user.pk


def test_a_call_needs_an_outcome_and_a_record(client, headers, contact):
    no_outcome = post(client, "/api/v1/calls", {"contact_ids": [contact.pk]}, headers)
    no_record = post(client, "/api/v1/calls", {"outcome": "busy"}, headers)

    assert no_outcome.status_code == 422
    assert no_outcome.json()["error"]["details"][0]["field"] == "body.outcome"
    assert no_record.status_code == 422


def test_listing_a_records_meetings_pages_with_a_cursor(client, headers, sales_user, contact,
                                                        django_assert_max_num_queries):
    for number in range(5):
        services.log_activity(actor=sales_user, kind="meeting", links=Links.of(contact),
                              values=ActivityInput(title=f"M{number}"))

    with django_assert_max_num_queries(14):
        first = client.get("/api/v1/meetings", {"contact": contact.pk, "limit": 3}, **headers)
    second = client.get("/api/v1/meetings", {"contact": contact.pk, "limit": 3,
                                             "cursor": first.json()["next"]}, **headers)

    titles = [m["title"] for m in first.json()["results"] + second.json()["results"]]
    assert sorted(titles) == ["M0", "M1", "M2", "M3", "M4"]
    assert second.json()["next"] is None


def test_a_list_needs_exactly_one_record(client, headers):
    assert client.get("/api/v1/notes", **headers).status_code == 422


def test_updating_keeps_history_and_only_the_author_may(client, headers, sales_user, pat,
                                                       contact):
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                                 values=ActivityInput(body="v1"))
    other = key_for(pat, *SCOPES)

    denied = client.patch(f"/api/v1/notes/{note.pk}", {"body": "hacked"},
                          content_type="application/json", **other)
    changed = client.patch(f"/api/v1/notes/{note.pk}", {"body": "v2"},
                           content_type="application/json", **headers)

    assert denied.status_code == 403
    assert changed.status_code == 200 and changed.json()["body"] == "<p>v2</p>"
    assert note.revisions.get().snapshot["body"] == "<p>v1</p>"


def test_deleting_a_note(client, headers, sales_user, contact):
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(contact),
                                 values=ActivityInput(body="v1"))

    assert client.delete(f"/api/v1/notes/{note.pk}", **headers).status_code == 204
    assert client.get(f"/api/v1/notes/{note.pk}", **headers).status_code == 404
    assert Activity.objects.get().is_deleted


def test_a_key_without_the_records_scope_is_refused(client, sales_user, contact):
    contacts_only_deals = key_for(sales_user, "deals:read")

    response = client.get("/api/v1/notes", {"contact": contact.pk}, **contacts_only_deals)

    assert response.status_code == 403
    assert "contacts:read" in response.json()["error"]["message"]


def test_activities_on_a_deal_someone_cannot_see_are_404(client, sales_user, pat, pipeline):
    deal = make_deal(sales_user, pipeline, name="Private")
    note = services.log_activity(actor=sales_user, kind="note", links=Links.of(deal),
                                 values=ActivityInput(body="secret"))
    other = key_for(pat, *SCOPES)

    assert client.get(f"/api/v1/notes/{note.pk}", **other).status_code == 404
    assert client.get("/api/v1/notes", {"deal": deal.pk}, **other).status_code == 404
    created = post(client, "/api/v1/notes", {"body": "x", "deal_ids": [deal.pk]}, other)
    assert created.status_code == 422


def test_comments_with_mentions_replies_edits_and_revisions(client, headers, sales_user, pat,
                                                             contact):
    created = post(client, "/api/v1/comments", {
        "target_type": "contact", "target_id": contact.pk,
        "body": f"<b>Hi</b> {mention_token(pat)}"}, headers)
    comment_id = created.json()["id"]
    reply = post(client, "/api/v1/comments", {
        "target_type": "contact", "target_id": contact.pk, "body": "reply",
        "parent_id": comment_id}, headers)
    edited = client.patch(f"/api/v1/comments/{comment_id}", {"body": "Hi again"},
                          content_type="application/json", **headers)
    listed = client.get("/api/v1/comments", {"target_type": "contact",
                                              "target_id": contact.pk}, **headers)
    revisions = client.get(f"/api/v1/comments/{comment_id}/revisions", **headers)

    assert created.status_code == 201
    assert created.json()["body"] == f"Hi {mention_token(pat)}"
    assert created.json()["mentioned_user_ids"] == [pat.pk]
    assert reply.json()["parent_id"] == comment_id
    assert edited.json()["edited_at"] and edited.json()["revision_count"] == 1
    assert [c["body"] for c in listed.json()["results"]] == ["Hi again", "reply"]
    assert [r["body"] for r in revisions.json()] == [f"Hi {mention_token(pat)}"]
    assert Notification.objects.filter(recipient=pat, kind="comment.mentioned").exists()


def test_comments_on_a_hidden_record_are_404(client, sales_user, pat, pipeline):
    deal = make_deal(sales_user, pipeline, name="Private")
    comment = services.add_comment(actor=sales_user, target=deal, body="psst")
    other = key_for(pat, *SCOPES)

    assert client.get(f"/api/v1/comments/{comment.pk}", **other).status_code == 404
    assert client.get("/api/v1/comments", {"target_type": "deal", "target_id": deal.pk},
                      **other).status_code == 404
    assert post(client, "/api/v1/comments", {"target_type": "deal", "target_id": deal.pk,
                                              "body": "hi"}, other).status_code == 404
    assert Comment.objects.count() == 1


def test_listing_comments_takes_a_fixed_number_of_queries(client, headers, sales_user,
                                                          contact,
                                                          django_assert_max_num_queries):
    for number in range(10):
        services.add_comment(actor=sales_user, target=contact, body=f"c{number}")

    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/comments", {"target_type": "contact",
                                                   "target_id": contact.pk}, **headers)

    assert len(response.json()["results"]) == 10


def test_uploading_downloading_and_deleting_a_file(client, headers, contact, media_root):
    uploaded = client.post("/api/v1/attachments", {
        "target_type": "contact", "target_id": contact.pk,
        "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test")}, **headers)
    attachment_id = uploaded.json()["id"]
    download = client.get(f"/api/v1/attachments/{attachment_id}/download", **headers)
    listed = client.get("/api/v1/attachments", {"target_type": "contact",
                                                 "target_id": contact.pk}, **headers)

    assert uploaded.status_code == 201
    assert uploaded.json()["content_type"] == "application/pdf"
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert [a["id"] for a in listed.json()["results"]] == [attachment_id]
    deleted = client.delete(f"/api/v1/attachments/{attachment_id}", **headers)
    assert deleted.status_code == 204 and not Attachment.objects.exists()


def test_api_uploads_over_the_limit_or_of_a_disallowed_type_are_refused(
        client, headers, contact, settings, media_root):
    settings.CLARION_MAX_UPLOAD_MB = 1

    big = client.post("/api/v1/attachments", {
        "target_type": "contact", "target_id": contact.pk,
        "file": SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 10))}, **headers)
    exe = client.post("/api/v1/attachments", {
        "target_type": "contact", "target_id": contact.pk,
        "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, **headers)

    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    assert exe.status_code == 422
    assert not Attachment.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_link_attachments_reject_javascript_urls(client, headers, contact):
    bad = post(client, "/api/v1/attachments/links", {
        "target_type": "contact", "target_id": contact.pk, "url": "javascript:alert(1)"},
        headers)
    good = post(client, "/api/v1/attachments/links", {
        "target_type": "contact", "target_id": contact.pk,
        "url": "https://drive.example.com/x", "title": "Deck"}, headers)

    assert bad.status_code == 422
    assert good.status_code == 201 and good.json()["download_url"] is None


def test_attachments_of_a_hidden_record_are_404(client, sales_user, pat, pipeline):
    deal = make_deal(sales_user, pipeline, name="Private")
    file = services.attach_file(actor=sales_user, target=deal,
                                uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    other = key_for(pat, *SCOPES)

    assert client.get(f"/api/v1/attachments/{file.pk}", **other).status_code == 404
    assert client.get(f"/api/v1/attachments/{file.pk}/download", **other).status_code == 404
    assert client.delete(f"/api/v1/attachments/{file.pk}", **other).status_code == 404


def test_a_retried_create_with_the_same_idempotency_key_logs_one_call(client, headers,
                                                                      contact):
    body = {"outcome": "busy", "contact_ids": [contact.pk]}
    retry = {**headers, "HTTP_IDEMPOTENCY_KEY": "call-1"}

    first = post(client, "/api/v1/calls", body, retry)
    second = post(client, "/api/v1/calls", body, retry)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and Activity.objects.count() == 1
