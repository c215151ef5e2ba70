"""The email designs API: CRUD with a validated document and If-Match, cursor pages with a
bounded number of queries, previews, the template library, creating from a template, the
image library; scopes and the marketing.manage capability."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clarion.accounts.models import Role
from clarion.accounts.services import create_user
from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.emails import designs, queries
from clarion.emails.models import Email
from tests.crm.api_support import key_for

pytestmark = pytest.mark.django_db
JSON = "application/json"
BLOCKS = {"blocks": [{"type": "text", "html": "<p>Hi {{ contact.first_name }}</p>"},
                     {"type": "footer"}]}


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])


@pytest.fixture
def headers(marketer):
    return key_for(marketer, "marketing:read", "marketing:write")


@pytest.fixture
def read_only_headers(marketer):
    return key_for(marketer, "marketing:read")


def make_email(owner, name="Spring news", **values) -> Email:
    return designs.create_email(actor=owner, name=name, document=BLOCKS, **values)


def test_create_read_update_delete_an_email(client, marketer, headers):
    created = client.post("/api/v1/emails", {"name": "Launch", "subject": "It's here",
                                             "document": BLOCKS},
                          content_type=JSON, HTTP_IDEMPOTENCY_KEY="e1", **headers)
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["owner_id"] == marketer.pk
    assert [block["type"] for block in body["document"]["blocks"]] == ["text", "footer"]
    url = f"/api/v1/emails/{body['id']}"
    read = client.get(url, **headers)
    assert read.json()["subject"] == "It's here" and read["ETag"] == '"1"'
    patched = client.patch(url, {"subject": "Now live"}, content_type=JSON,
                           HTTP_IF_MATCH='"1"', **headers)
    assert patched.status_code == 200
    assert patched.json()["version"] == 2 and patched["ETag"] == '"2"'
    assert client.delete(url, **headers).status_code == 204
    assert client.get(url, **headers).status_code == 404


def test_a_stale_if_match_is_a_409_and_changes_nothing(client, marketer, headers):
    email = make_email(marketer)
    url = f"/api/v1/emails/{email.pk}"
    assert client.patch(url, {"name": "A"}, content_type=JSON, HTTP_IF_MATCH='"1"',
                        **headers).status_code == 200
    stale = client.patch(url, {"name": "B"}, content_type=JSON, HTTP_IF_MATCH='"1"', **headers)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    email.refresh_from_db()
    assert (email.name, email.version) == ("A", 2)


def test_an_invalid_document_is_a_422_naming_the_block(client, marketer, headers):
    response = client.post("/api/v1/emails", {"name": "Bad", "document": {"blocks": [
        {"type": "button", "label": "Go", "url": "javascript:alert(1)"}]}},
        content_type=JSON, **headers)
    assert response.status_code == 422
    assert "Block 1" in response.json()["error"]["message"]
    assert not Email.objects.exists()


def test_script_in_a_text_block_is_stripped_on_the_way_in(client, headers):
    response = client.post("/api/v1/emails", {"name": "X", "document": {"blocks": [
        {"type": "text", "html": '<p><img src=x onerror="alert(1)">Hi<script>1</script></p>'}]}},
        content_type=JSON, **headers)
    html = response.json()["document"]["blocks"][0]["html"]
    assert "onerror" not in html and "<script" not in html and "Hi" in html


def test_list_is_cursor_paginated_in_a_fixed_number_of_queries(client, marketer, headers,
                                                               roles):
    for number in range(5):
        make_email(marketer, f"Email {number}")
    make_email(marketer, "Layout", kind=Email.Kind.TEMPLATE)
    first = client.get("/api/v1/emails?limit=3", **headers).json()
    assert [row["name"] for row in first["results"]] == ["Email 4", "Email 3", "Email 2"]
    second = client.get(f"/api/v1/emails?limit=3&cursor={first['next']}", **headers).json()
    assert [row["name"] for row in second["results"]] == ["Email 1", "Email 0"]
    assert second["next"] is None
    templates = client.get("/api/v1/emails?kind=template", **headers).json()["results"]
    assert [row["name"] for row in templates] == ["Layout"]

    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/emails", **headers)
    for number in range(20):
        make_email(create_user(email=f"u{number}@example.com", password="x" * 12,
                               role=roles["Marketing"]), f"More {number}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/emails", **headers).json()["results"]) == 25
    assert len(many) == len(few)


def test_search_narrows_the_list(client, marketer, headers):
    make_email(marketer, "Spring news")
    make_email(marketer, "Autumn sale")
    rows = client.get("/api/v1/emails?search=autumn", **headers).json()["results"]
    assert [row["name"] for row in rows] == ["Autumn sale"]


def test_preview_renders_a_document_as_a_contact(client, marketer, headers):
    contact = create_record(Contact, actor=marketer, values={
        "first_name": "Grace", "email": "grace@example.org"}, link_by_domain=False)
    response = client.post("/api/v1/emails/preview", {
        "document": BLOCKS, "subject": "For {{ contact.first_name }} {{ contact.nope }}",
        "contact_id": contact.pk}, content_type=JSON, **headers)
    body = response.json()
    assert response.status_code == 200
    assert "Grace" in body["html"] and "Grace" in body["text"]
    assert body["subject"].startswith("For Grace")
    assert body["unknown_tokens"] == ["contact.nope"]
    email = make_email(marketer)
    saved = client.post(f"/api/v1/emails/{email.pk}/preview?contact_id={contact.pk}", **headers)
    assert saved.status_code == 200 and "Grace" in saved.json()["html"]


def test_preview_as_an_unknown_contact_is_a_404(client, headers):
    response = client.post("/api/v1/emails/preview", {"document": BLOCKS, "contact_id": 999},
                           content_type=JSON, **headers)
    assert response.status_code == 404


def test_templates_lists_built_in_and_saved_ones(client, marketer, headers):
    make_email(marketer, "House style", kind=Email.Kind.TEMPLATE)
    body = client.get("/api/v1/email-templates", **headers).json()
    assert len(body["builtin"]) == len(queries.library_templates()) >= 8
    assert {"key", "name", "category", "subject"} <= set(body["builtin"][0])
    assert [row["name"] for row in body["saved"]] == ["House style"]


def test_create_from_a_built_in_or_saved_template(client, marketer, headers):
    key = queries.library_templates()[0].key
    created = client.post("/api/v1/emails/from-template", {"template": key, "name": "Mine"},
                          content_type=JSON, **headers)
    assert created.status_code == 201
    assert created.json()["name"] == "Mine" and created.json()["kind"] == "email"
    saved = make_email(marketer, "House style", kind=Email.Kind.TEMPLATE)
    copied = client.post("/api/v1/emails/from-template", {"email_id": saved.pk},
                         content_type=JSON, **headers)
    assert copied.status_code == 201
    assert copied.json()["document"] == saved.document
    assert client.post("/api/v1/emails/from-template", {"template": "nope"},
                       content_type=JSON, **headers).status_code == 404
    assert client.post("/api/v1/emails/from-template", {}, content_type=JSON,
                       **headers).status_code == 422


def test_reading_needs_no_write_scope_but_writing_does(client, marketer, read_only_headers):
    email = make_email(marketer)
    assert client.get("/api/v1/emails", **read_only_headers).status_code == 200
    assert client.get(f"/api/v1/emails/{email.pk}", **read_only_headers).status_code == 200
    refused = client.patch(f"/api/v1/emails/{email.pk}", {"name": "X"}, content_type=JSON,
                           **read_only_headers)
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/emails/{email.pk}", **read_only_headers).status_code == 403


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/emails"), ("get", "/api/v1/email-templates"),
    ("get", "/api/v1/email-assets"), ("post", "/api/v1/emails/preview"),
])
def test_a_user_who_lost_marketing_manage_gets_403(client, roles, method, path):
    role = Role.objects.create(name="Campaigner", capabilities=["marketing.manage"])
    user = create_user(email="cam@example.com", password="x" * 12, role=role)
    headers = key_for(user, "marketing:read", "marketing:write")
    role.capabilities = ["api.manage", "contacts.view_all"]
    role.save()
    response = getattr(client, method)(path, {"document": BLOCKS}, content_type=JSON,
                                       **headers) if method == "post" else (
        client.get(path, **headers))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_key_without_the_marketing_scopes_gets_403(client, marketer):
    headers = key_for(marketer, "contacts:read")
    assert client.get("/api/v1/emails", **headers).status_code == 403
