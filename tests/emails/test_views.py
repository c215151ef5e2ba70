"""The email pages: the list (search, duplicate, delete, bounded queries), the template
gallery, the builder and its save / preview / test / save-as-template endpoints, and who may
use them."""

import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clarion.accounts.services import create_user
from clarion.crm.models import Contact
from clarion.crm.services import create_record
from clarion.emails import designs, queries
from clarion.emails.models import Email

pytestmark = pytest.mark.django_db
JSON = "application/json"

TEXT = {"type": "text", "html": "<p>Hello {{ contact.first_name|default('there') }}</p>"}
FOOTER = {"type": "footer"}


@pytest.fixture
def marketer(roles):
    return create_user(email="mia@example.com", password="correct horse battery",
                       first_name="Mia", role=roles["Marketing"])


@pytest.fixture
def signed_in(client, marketer):
    client.force_login(marketer)
    return client


def make_email(owner, name="Spring news", blocks=None, **values) -> Email:
    return designs.create_email(actor=owner, name=name, subject=values.pop("subject", "Hi"),
                                document={"blocks": blocks or [TEXT, FOOTER]}, **values)


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type=JSON)


# --- who may use the pages ----------------------------------------------------------------

@pytest.mark.parametrize("name, args", [
    ("emails:list", []), ("emails:templates", []), ("emails:assets", []),
])
def test_pages_refuse_a_user_without_marketing_manage(client, sales_user, name, args):
    client.force_login(sales_user)
    assert client.get(reverse(name, args=args)).status_code == 403


def test_builder_and_its_endpoints_refuse_a_user_without_marketing_manage(client, sales_user,
                                                                          marketer):
    email = make_email(marketer)
    client.force_login(sales_user)
    assert client.get(reverse("emails:detail", args=[email.pk])).status_code == 403
    for name in ("save", "preview", "send_test", "save_as_template", "duplicate", "delete"):
        response = post_json(client, reverse(f"emails:{name}", args=[email.pk]),
                             {"version": 1, "document": {"blocks": []}})
        assert response.status_code == 403, name
    assert post_json(client, reverse("emails:new"), {}).status_code == 403
    assert Email.objects.count() == 1 and Email.objects.get().version == 1


def test_pages_send_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("emails:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the list -----------------------------------------------------------------------------

def test_list_shows_name_subject_and_owner_of_emails_not_templates(signed_in, marketer):
    make_email(marketer, "Spring news", subject="Fresh from the garden")
    make_email(marketer, "Kept layout", kind=Email.Kind.TEMPLATE)
    page = signed_in.get(reverse("emails:list")).content.decode()
    assert "Spring news" in page and "Fresh from the garden" in page and "Mia" in page
    assert "Kept layout" not in page
    assert 'href="/email/designs/templates/"' in page  # the shared sub-navigation


def test_list_search_matches_name_or_subject(signed_in, marketer):
    make_email(marketer, "Spring news", subject="Garden")
    make_email(marketer, "Autumn sale", subject="Leaves")
    page = signed_in.get(reverse("emails:list"), {"q": "leav"}).content.decode()
    assert "Autumn sale" in page and "Spring news" not in page


def test_list_query_count_does_not_grow_with_the_emails(signed_in, marketer, roles):
    others = [create_user(email=f"o{n}@example.com", password="x" * 12, first_name=f"O{n}",
                          role=roles["Marketing"]) for n in range(3)]
    make_email(marketer)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(reverse("emails:list")).status_code == 200
    for number in range(20):
        make_email(others[number % 3], f"Email {number}")
    with CaptureQueriesContext(connection) as many:
        assert signed_in.get(reverse("emails:list")).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 8


def test_duplicate_makes_an_owned_copy_and_opens_it(signed_in, marketer, roles):
    owner = create_user(email="o@example.com", password="x" * 12, role=roles["Marketing"])
    email = make_email(owner)
    response = signed_in.post(reverse("emails:duplicate", args=[email.pk]))
    copy = Email.objects.exclude(pk=email.pk).get()
    assert response["Location"] == copy.get_absolute_url()
    assert copy.name == "Copy of Spring news" and copy.owner == marketer
    assert copy.document == email.document and copy.subject == email.subject


def test_delete_removes_the_email_after_a_post_only(signed_in, marketer):
    email = make_email(marketer)
    assert signed_in.get(reverse("emails:delete", args=[email.pk])).status_code == 405
    page = signed_in.get(reverse("emails:list")).content.decode()
    assert f'id="delete-email-{email.pk}"' in page  # the confirmation dialog
    response = signed_in.post(reverse("emails:delete", args=[email.pk]))
    assert response["Location"] == reverse("emails:list")
    assert not Email.objects.exists()


# --- the gallery and new emails -----------------------------------------------------------

def test_gallery_lists_the_built_in_and_saved_templates(signed_in, marketer):
    make_email(marketer, "Our monthly layout", kind=Email.Kind.TEMPLATE)
    page = signed_in.get(reverse("emails:templates")).content.decode()
    for template in queries.library_templates():
        assert f'value="{template.key}"' in page
    assert "Our monthly layout" in page
    assert page.count("<iframe") == len(queries.library_templates()) + 1
    assert "sandbox" in page


def test_use_a_built_in_template_creates_an_email_from_it(signed_in, marketer):
    template = queries.library_templates()[0]
    response = signed_in.post(reverse("emails:new"), {"template": template.key})
    email = Email.objects.get()
    assert response["Location"] == email.get_absolute_url()
    assert email.kind == Email.Kind.EMAIL and email.owner == marketer
    assert email.subject == template.subject
    assert len(email.document["blocks"]) == len(template.document["blocks"])


def test_start_from_a_saved_email_copies_it_and_blank_starts_empty(signed_in, marketer):
    saved = make_email(marketer, "Kept layout", kind=Email.Kind.TEMPLATE)
    signed_in.post(reverse("emails:new"), {"source": saved.pk})
    copy = Email.objects.get(kind=Email.Kind.EMAIL)
    assert copy.name == "Kept layout" and copy.document == saved.document
    signed_in.post(reverse("emails:new"))
    blank = Email.objects.filter(kind=Email.Kind.EMAIL).exclude(pk=copy.pk).get()
    assert blank.document["blocks"] == []


def test_an_unknown_built_in_template_is_a_404(signed_in):
    assert signed_in.post(reverse("emails:new"), {"template": "nope"}).status_code == 404


def test_thumbnails_are_sandboxed_html_framable_only_by_clarion(signed_in, marketer):
    key = queries.library_templates()[0].key
    response = signed_in.get(reverse("emails:library_thumbnail", args=[key]))
    assert response.status_code == 200 and b"<html" in response.content.lower()
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    email = make_email(marketer)
    assert signed_in.get(reverse("emails:thumbnail", args=[email.pk])).status_code == 200


# --- the builder --------------------------------------------------------------------------

def test_builder_page_carries_the_document_and_the_palette(signed_in, marketer):
    email = make_email(marketer)
    page = signed_in.get(email.get_absolute_url()).content.decode()
    assert 'id="email-state"' in page and '"version": 1' in page
    for block_type in ("text", "image", "button", "columns", "divider", "spacer", "social",
                       "header", "footer"):
        assert f'data-add-block="{block_type}"' in page
    assert "data-preview-iframe" in page and 'sandbox=""' in page


def test_save_stores_a_sanitized_document_and_bumps_the_version(signed_in, marketer):
    email = make_email(marketer)
    response = post_json(signed_in, reverse("emails:save", args=[email.pk]), {
        "version": 1, "name": "Renamed", "subject": "New subject", "preheader": "Peek",
        "document": {"blocks": [{"type": "text",
                                 "html": '<p onclick="steal()">Hi<script>x()</script></p>'}]}})
    assert response.status_code == 200 and response.json()["version"] == 2
    email.refresh_from_db()
    assert (email.name, email.subject, email.preheader, email.version) == (
        "Renamed", "New subject", "Peek", 2)
    html = email.document["blocks"][0]["html"]
    assert "onclick" not in html and "script" not in html and "Hi" in html


def test_a_save_from_a_stale_version_is_refused_with_the_current_email(signed_in, marketer):
    email = make_email(marketer)
    url = reverse("emails:save", args=[email.pk])
    assert post_json(signed_in, url, {"version": 1, "subject": "First"}).status_code == 200
    response = post_json(signed_in, url, {"version": 1, "subject": "Second"})
    assert response.status_code == 409
    assert response.json()["current"]["subject"] == "First"
    assert response.json()["current"]["version"] == 2
    email.refresh_from_db()
    assert email.subject == "First"


def test_an_invalid_document_is_refused_naming_the_block_and_field(signed_in, marketer):
    email = make_email(marketer)
    response = post_json(signed_in, reverse("emails:save", args=[email.pk]), {
        "version": 1, "document": {"blocks": [TEXT, {"type": "columns", "columns": [
            {"blocks": [{"type": "image", "src": "https://example.com/a.png"}]}]}]}})
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["block"] == [1, 0, 0]
    assert "alt" in problem["message"]
    email.refresh_from_db()
    assert email.version == 1


def test_preview_renders_the_unsaved_state_as_a_contact(signed_in, marketer):
    email = make_email(marketer)
    contact = create_record(Contact, actor=marketer, values={
        "first_name": "Grace", "email": "grace@example.org"}, link_by_domain=False)
    response = post_json(signed_in, reverse("emails:preview", args=[email.pk]), {
        "subject": "Hi {{ contact.first_name }} {{ contact.shoe_size }}",
        "document": {"blocks": [TEXT, FOOTER]}, "contact_id": contact.pk})
    body = response.json()
    assert response.status_code == 200
    assert "Grace" in body["html"] and body["subject"].startswith("Hi Grace")
    assert "contact.shoe_size" in body["unknown_tokens"]


def test_send_a_test_goes_to_my_own_address_and_is_rate_limited(signed_in, marketer,
                                                                 monkeypatch):
    from clarion.emails import services

    email = make_email(marketer)
    url = reverse("emails:send_test", args=[email.pk])
    response = post_json(signed_in, url, {"to": "someone@else.example"})
    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [["mia@example.com"]]
    monkeypatch.setattr(services, "TEST_SENDS_PER_HOUR", 1)
    refused = post_json(signed_in, url, {})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert len(mail.outbox) == 1


def test_save_as_template_keeps_a_copy_in_the_gallery(signed_in, marketer):
    email = make_email(marketer)
    response = post_json(signed_in, reverse("emails:save_as_template", args=[email.pk]),
                         {"name": "House style", "category": "newsletter"})
    assert response.status_code == 201
    template = Email.objects.get(kind=Email.Kind.TEMPLATE)
    assert (template.name, template.category) == ("House style", "newsletter")
    assert template.document == email.document
    assert "House style" in signed_in.get(reverse("emails:templates")).content.decode()


def test_gallery_query_count_does_not_grow_with_saved_templates(signed_in, marketer):
    make_email(marketer, "First layout", kind=Email.Kind.TEMPLATE)
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(reverse("emails:templates")).status_code == 200
    for number in range(15):
        make_email(marketer, f"Layout {number}", kind=Email.Kind.TEMPLATE)
        make_email(marketer, f"Email {number}")
    with CaptureQueriesContext(connection) as many:
        assert signed_in.get(reverse("emails:templates")).status_code == 200
    assert len(many) == len(few) <= 8


def test_a_test_the_mail_server_refuses_is_reported_not_a_crash(signed_in, marketer,
                                                                 monkeypatch):
    from smtplib import SMTPServerDisconnected

    from clarion.emails import services

    def refuse(*args, **kwargs):
        raise SMTPServerDisconnected("gone")

    monkeypatch.setattr(services, "send_test", refuse)
    response = post_json(signed_in, reverse("emails:send_test", args=[make_email(marketer).pk]),
                         {})
    assert response.status_code == 502 and "could not be sent" in response.json()["error"]
