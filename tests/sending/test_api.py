"""The send engine's API: senders without their keys, progress, trace, pause and resume."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clarion.api.services import create_api_key
from clarion.crm.models import Contact
from clarion.sending import services, signing
from tests.sending.support import make_contacts, make_send, make_sender

pytestmark = pytest.mark.django_db


def key(user, *scopes):
    _key, secret = create_api_key(user=user, name="k", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_senders_are_listed_without_their_private_key(admin_user):
    private = signing.generate_private_key()
    make_sender(dkim_domain="acme.example", dkim_selector="s1", dkim_private_key=private)
    make_sender(name="Plain", from_email="plain@acme.example")
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/api/v1/senders", **key(admin_user, "marketing:read"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["dkim_enabled"] for s in body] == [True, False]
    assert "PRIVATE KEY" not in response.content.decode()
    assert len(queries) <= 8  # the key, its user and role, then one query for all senders


def test_progress_trace_and_pause_resume(admin_user):
    make_contacts(2)
    send = services.resolve_recipients(make_send(), Contact.objects.all())
    contact = Contact.objects.first()
    read, write = key(admin_user, "marketing:read"), key(admin_user, "marketing:write")
    progress = Client().get(f"/api/v1/sends/{send.pk}/progress", **read).json()
    assert progress["counts"]["queued"] == 2 and progress["status"] == "sending"
    trace = Client().get(f"/api/v1/sends/{send.pk}/trace/{contact.pk}", **read).json()
    assert trace["status"] == "queued" and trace["found"] is True
    assert Client().post(f"/api/v1/sends/{send.pk}/pause", **read).status_code == 403
    paused = Client().post(f"/api/v1/sends/{send.pk}/pause", **write)
    assert paused.json()["status"] == "paused"
    assert Client().post(f"/api/v1/sends/{send.pk}/resume", **write).json()[
        "status"] == "sending"
    Client().post(f"/api/v1/sends/{send.pk}/cancel", **write)
    refused = Client().post(f"/api/v1/sends/{send.pk}/resume", **write)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "send_state"
    assert Client().get("/api/v1/sends/999999/progress", **read).status_code == 404


def test_a_key_without_the_marketing_scope_is_refused(admin_user):
    send = make_send()
    response = Client().get(f"/api/v1/sends/{send.pk}/progress",
                            **key(admin_user, "contacts:read"))
    assert response.status_code == 403
