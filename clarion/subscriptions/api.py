"""The consent API: subscription types, a contact's subscriptions, the suppression list and a
contact's consent log.

Reading needs the `marketing:read` scope, changing `marketing:write` (both stand on the
`marketing.manage` capability); creating or changing a subscription type also needs
`settings.manage`, like the settings page. Contacts are only those the key's user may see
(and edit, to change them). Writes go through `clarion.subscriptions.services`, like the web
pages, and are logged in the consent log with the key's user as the actor and method "api".
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from clarion.api.auth import scope_required
from clarion.api.errors import APIError, Forbidden, NotFound
from clarion.api.idempotency import run_once
from clarion.api.pagination import CursorPagination
from clarion.core.permissions import has_capability, visible_to
from clarion.crm.api_schemas import Id, Input
from clarion.crm.models import Contact
from clarion.subscriptions import queries, services
from clarion.subscriptions.models import ConsentRecord, Subscription, SubscriptionType, Suppression

READ, WRITE = "marketing:read", "marketing:write"
MAX_CHANGES = 100

router = Router(tags=["subscriptions"], auth=scope_required(READ))


def _named(name: str) -> dict:
    return {"url_name": name, "operation_id": name}


class TypeOut(Schema):
    id: int
    name: str
    description: str
    requires_opt_in: bool
    double_opt_in: bool
    is_default: bool
    archived: bool
    position: int
    created_at: datetime


class TypeIn(Input):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    requires_opt_in: bool = False
    double_opt_in: bool = False
    is_default: bool = False


class TypePatch(Input):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=5000)
    requires_opt_in: bool | None = None
    double_opt_in: bool | None = None
    is_default: bool | None = None
    archived: bool | None = None


class StateOut(Schema):
    subscription_type_id: int
    subscription_type: str
    status: Literal["subscribed", "pending", "unsubscribed", ""] = Field(
        description='"" when the contact never chose: an opt-out type then reaches them, an '
                    "opt-in type does not.")
    receives: bool = Field(description="Whether a send of this type would reach them "
                                       "(suppression aside).")
    updated_at: datetime | None


class ContactSubscriptionsOut(Schema):
    contact_id: int
    email: str
    suppressed: bool
    suppression_reason: str
    subscriptions: list[StateOut]


class StatusChange(Input):
    subscription_type_id: Id
    status: Literal["subscribed", "pending", "unsubscribed"] = Field(
        description='"pending" emails the contact a confirmation link (double opt-in); '
                    '"subscribed" records consent given elsewhere.')


class SubscriptionsIn(Input):
    changes: list[StatusChange] = Field(..., min_length=1, max_length=MAX_CHANGES)
    consent_text: str = Field("", max_length=5000,
                              description="The wording the person agreed to, if any.")


class SuppressionOut(Schema):
    id: int
    email: str
    reason: str
    detail: str
    created_at: datetime
    created_by_id: int | None


class SuppressionIn(Input):
    email: str = Field(..., max_length=254)
    detail: str = Field("", max_length=5000)

    @field_validator("email")
    @classmethod
    def an_address(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("Enter a valid email address.") from None
        return value.lower()


class SuppressionPage(Schema):
    results: list[SuppressionOut]
    next: str | None = None


class ConsentOut(Schema):
    id: int
    email: str
    action: str
    method: str
    subscription_type_id: int | None
    text: str
    ip_address: str | None
    user_agent: str
    actor_id: int | None
    source: str
    occurred_at: datetime


class ConsentPage(Schema):
    results: list[ConsentOut]
    next: str | None = None


class AlreadySuppressed(APIError):
    status, code = 409, "already_suppressed"


# --- Subscription types ---------------------------------------------------------------------

def _may_manage_types(user) -> None:
    if not has_capability(user, "settings.manage"):
        raise Forbidden(_("You may not change subscription types."))


def _type(pk: int) -> SubscriptionType:
    kind = SubscriptionType.objects.filter(pk=pk).first()
    if kind is None:
        raise NotFound(_("No subscription type with id %(id)s.") % {"id": pk})
    return kind


def _check_type(requires_opt_in: bool, double_opt_in: bool) -> None:
    if double_opt_in and not requires_opt_in:
        raise ValidationError({"body.double_opt_in": [
            _("Double opt-in needs “Only send to people who opted in”.")]})


@router.get("/types", response=list[TypeOut], **_named("list_subscription_types"),
            summary="List subscription types (archived ones too)")
def list_types(request, archived: bool | None = None):
    kinds = SubscriptionType.objects.order_by("position", "id")
    if archived is not None:
        kinds = kinds.filter(archived=archived)
    return list(kinds)


@router.post("/types", response={201: TypeOut}, auth=scope_required(WRITE),
             **_named("create_subscription_type"), summary="Create a subscription type")
def create_type(request, payload: TypeIn):
    _may_manage_types(request.user)
    _check_type(payload.requires_opt_in, payload.double_opt_in)

    def produce():
        kind = services.create_type(**payload.model_dump())
        return 201, TypeOut.from_orm(kind).model_dump(mode="json")

    return Status(*run_once(request, produce))


@router.patch("/types/{int:type_id}", response=TypeOut, auth=scope_required(WRITE),
              **_named("update_subscription_type"),
              summary="Change or archive a subscription type")
def update_type(request, type_id: Id, payload: TypePatch):
    _may_manage_types(request.user)
    kind = _type(type_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    _check_type(changes.get("requires_opt_in", kind.requires_opt_in),
                changes.get("double_opt_in", kind.double_opt_in))
    return services.update_type(kind, **changes)


# --- A contact's subscriptions and consent log ----------------------------------------------

def _contact(user, contact_id: int, verb: str = "view") -> Contact:
    contact = visible_to(user, Contact.objects.all(), verb).filter(pk=contact_id).first()
    if contact is None:
        if verb == "edit" and visible_to(user, Contact.objects.filter(pk=contact_id)).exists():
            raise Forbidden(_("You may not change this contact."))
        raise NotFound(_("No contact with id %(id)s.") % {"id": contact_id})
    return contact


def _subscriptions_of(contact: Contact) -> dict:
    suppression = queries.suppression_of(contact.email)
    return {
        "contact_id": contact.pk, "email": contact.email,
        "suppressed": suppression is not None,
        "suppression_reason": suppression.reason if suppression else "",
        "subscriptions": [
            {"subscription_type_id": state["type"].pk,
             "subscription_type": state["type"].name, "status": state["status"],
             "receives": state["receives"], "updated_at": state["updated_at"]}
            for state in queries.subscription_states(contact)],
    }


@router.get("/contacts/{int:contact_id}", response=ContactSubscriptionsOut,
            **_named("contact_subscriptions"),
            summary="A contact's subscription to every active type, and suppression")
def contact_subscriptions(request, contact_id: Id):
    return _subscriptions_of(_contact(request.user, contact_id))


@router.put("/contacts/{int:contact_id}", response=ContactSubscriptionsOut,
            auth=scope_required(WRITE), **_named("set_contact_subscriptions"),
            summary="Change a contact's subscriptions (each change in the consent log)")
def set_contact_subscriptions(request, contact_id: Id, payload: SubscriptionsIn):
    contact = _contact(request.user, contact_id, "edit")
    kinds = SubscriptionType.objects.in_bulk([change.subscription_type_id
                                              for change in payload.changes])
    for index, change in enumerate(payload.changes):
        if change.subscription_type_id not in kinds:
            raise ValidationError({f"body.changes.{index}.subscription_type_id": [
                _("No subscription type with id %(id)s.") % {
                    "id": change.subscription_type_id}]})
    if not contact.email and any(c.status != "unsubscribed" for c in payload.changes):
        raise ValidationError({"body.changes": [_("The contact has no email address.")]})
    origin = services.Origin(source=_("API"))
    for change in payload.changes:
        kind = kinds[change.subscription_type_id]
        if change.status == Subscription.Status.SUBSCRIBED and payload.consent_text:
            services.subscribe(contact, kind, method=ConsentRecord.Method.API,
                               actor=request.user, origin=origin, text=payload.consent_text,
                               confirmed=True)
        services.set_status(contact, kind, change.status, method=ConsentRecord.Method.API,
                            actor=request.user, origin=origin, confirmed=True)
    return _subscriptions_of(contact)


@router.get("/contacts/{int:contact_id}/consent-log", response=ConsentPage,
            **_named("contact_consent_log"),
            summary="A contact's consent log: what, when, how and from where, newest first")
def contact_consent_log(request, contact_id: Id, pagination: Query[CursorPagination.Input]):
    contact = _contact(request.user, contact_id)
    records = ConsentRecord.objects.filter(contact=contact)
    return CursorPagination(order_by="-occurred_at").paginate_queryset(records, pagination,
                                                                       request)


# --- Suppression list -----------------------------------------------------------------------

@router.get("/suppressions", response=SuppressionPage, **_named("list_suppressions"),
            summary="The suppressed addresses, newest first")
def list_suppressions(request, pagination: Query[CursorPagination.Input],
                      search: str = Query("", max_length=254),
                      reason: Literal[tuple(Suppression.Reason.values)] | None = None):
    rows = queries.suppression_list(search).select_related(None)
    if reason:
        rows = rows.filter(reason=reason)
    return CursorPagination(order_by="-created_at").paginate_queryset(rows, pagination,
                                                                      request)


@router.post("/suppressions", response={201: SuppressionOut}, auth=scope_required(WRITE),
             **_named("add_suppression"), summary="Suppress an address (reason: manual)")
def add_suppression(request, payload: SuppressionIn):
    def produce():
        if queries.is_suppressed(payload.email):
            raise AlreadySuppressed(_("%(email)s is already suppressed.") % {
                "email": payload.email})
        row = services.suppress(payload.email, Suppression.Reason.MANUAL,
                                detail=payload.detail, actor=request.user,
                                method=ConsentRecord.Method.API)
        return 201, SuppressionOut.from_orm(row).model_dump(mode="json")

    return Status(*run_once(request, produce))


@router.delete("/suppressions/{email}", response={204: None}, auth=scope_required(WRITE),
               **_named("remove_suppression"),
               summary="Take an address off the suppression list")
def remove_suppression(request, email: str):
    exists = Suppression.objects.alias(key=Lower("email")).filter(key=email.strip().lower())
    if not exists.exists():
        raise NotFound(_("%(email)s is not suppressed.") % {"email": email})
    services.unsuppress(email, actor=request.user, method=ConsentRecord.Method.API)
    return Status(204, None)


routers = [("/subscriptions", router)]
