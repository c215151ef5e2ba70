"""The send engine's API: sender identities (never their private keys), a send's progress,
pausing, resuming and cancelling it, and the trace of one contact's message.

Reading needs `marketing:read`, changing needs `marketing:write`; both need the
`marketing.manage` capability (the scopes require it).
"""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, NotFound
from clarion.sending import queries, services
from clarion.sending.models import Send

READ, WRITE = "marketing:read", "marketing:write"

senders_router = Router(tags=["sending"], auth=scope_required(READ))
sends_router = Router(tags=["sending"], auth=scope_required(READ))


class SenderOut(Schema):
    id: int
    name: str
    from_name: str
    from_email: str
    reply_to: str
    postal_address: str
    is_default: bool
    dkim_domain: str
    dkim_selector: str
    dkim_enabled: bool


class ProgressOut(Schema):
    send_id: int
    status: str
    counts: dict[str, int]
    recipients: int
    excluded: dict[str, int]
    uncertain: int
    percent_done: float


class TraceOut(Schema):
    found: bool
    send_id: int
    contact_id: int
    message: int | None = None
    email: str | None = None
    status: str | None = None
    status_label: str | None = None
    reason: str | None = None
    variant: int | None = None
    attempts: int | None = None
    uncertain_attempts: int | None = None
    message_id: str | None = None
    due_at: datetime | None = None
    sent_at: datetime | None = None
    smtp_code: int | None = None
    smtp_response: str | None = None


class CannotChange(APIError):
    status, code = 409, "send_state"


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


@senders_router.get("", response=list[SenderOut], **_named("list_senders"),
                    summary="List sender identities")
def list_senders(request):
    return [{**{field: getattr(sender, field) for field in SenderOut.model_fields
                if field != "dkim_enabled"},
             "dkim_enabled": bool(sender.dkim_private_key)} for sender in queries.senders()]


def _send(send_id: int) -> Send:
    send = Send.objects.filter(pk=send_id).first()
    if send is None:
        raise NotFound(_("No send with id %(id)s.") % {"id": send_id})
    return send


@sends_router.get("/{int:send_id}/progress", response=ProgressOut,
                  **_named("send_progress"), summary="A send's progress by message status")
def progress(request, send_id: int):
    return queries.progress(_send(send_id))


@sends_router.get("/{int:send_id}/trace/{int:contact_id}", response=TraceOut,
                  **_named("send_trace"),
                  summary="Why did or didn't this contact get this email")
def trace(request, send_id: int, contact_id: int):
    return queries.trace(_send(send_id), contact_id)


def _change(send_id: int, action) -> dict:
    try:
        send = action(_send(send_id))
    except services.SendError as error:
        raise CannotChange(str(error)) from None
    return queries.progress(send)


@sends_router.post("/{int:send_id}/pause", response=ProgressOut, auth=scope_required(WRITE),
                   **_named("pause_send"), summary="Pause a send")
def pause(request, send_id: int):
    return _change(send_id, services.pause)


@sends_router.post("/{int:send_id}/resume", response=ProgressOut, auth=scope_required(WRITE),
                   **_named("resume_send"), summary="Resume a paused send")
def resume(request, send_id: int):
    return _change(send_id, services.resume)


@sends_router.post("/{int:send_id}/cancel", response=ProgressOut, auth=scope_required(WRITE),
                   **_named("cancel_send"), summary="Cancel what a send has not sent yet")
def cancel(request, send_id: int):
    return _change(send_id, services.cancel)


routers = [("/senders", senders_router), ("/sends", sends_router)]
