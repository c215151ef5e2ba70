"""Reads of consent: who may receive a send, a contact's subscriptions, the suppression list
and the consent log.

`annotate_exclusion` is what the send engine resolves recipients with: a few SQL expressions
added to the contact query, so a million contacts are judged in one statement.
"""

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower

from clarion.subscriptions.models import (
    ConsentRecord,
    Subscription,
    SubscriptionType,
    Suppression,
)

# Why a contact is left out of a send, most decisive first.
NO_EMAIL = "no_email"
SUPPRESSED = "suppressed"
UNSUBSCRIBED = "unsubscribed"
PENDING_CONFIRMATION = "pending_confirmation"
NO_CONSENT = "no_consent"
REASONS = (NO_EMAIL, SUPPRESSED, UNSUBSCRIBED, PENDING_CONFIRMATION, NO_CONSENT)


def suppressed_address(email_expression) -> Exists:
    """True when the address `email_expression` (an OuterRef or F) is on the suppression
    list: compared as lower(email), which is the suppression list's unique expression index,
    so each check is one index probe."""
    return Exists(Suppression.objects.alias(key=Lower("email"))
                  .filter(key=Lower(email_expression)))


def annotate_exclusion(contacts: QuerySet, subscription_type: SubscriptionType | int | None
                       ) -> QuerySet:
    """`contacts` with an `exclusion` annotation: "" when the contact may receive a send of
    `subscription_type`, else the reason it may not — "no_email", then "suppressed", then
    (for a type) "unsubscribed", "pending_confirmation" or "no_consent", in that precedence.

    `subscription_type=None` is for transactional-like sends: only the address matters.
    The contact's subscription to the type is one LEFT JOIN on (contact, type), which the
    unique constraint indexes; suppression is one probe of lower(email)'s unique index."""
    if isinstance(subscription_type, int):
        subscription_type = SubscriptionType.objects.get(pk=subscription_type)
    no_email = Q(email="") | Q(email__isnull=True)
    whens = [When(no_email, then=Value(NO_EMAIL)),
             When(suppressed_address(OuterRef("email")), then=Value(SUPPRESSED))]
    if subscription_type is not None:
        contacts = contacts.alias(_consent=FilteredRelation(
            "subscriptions",
            condition=Q(subscriptions__subscription_type_id=subscription_type.pk)))
        status = "_consent__status"
        whens += [
            When(**{status: Subscription.Status.UNSUBSCRIBED}, then=Value(UNSUBSCRIBED)),
            When(**{status: Subscription.Status.PENDING}, then=Value(PENDING_CONFIRMATION)),
        ]
        if subscription_type.requires_opt_in:
            # Only a SUBSCRIBED row is consent; no row at all is none.
            whens.append(When(**{f"{status}__isnull": True}, then=Value(NO_CONSENT)))
    return contacts.annotate(exclusion=Case(*whens, default=Value(""),
                                            output_field=CharField()))


def is_suppressed(email: str) -> bool:
    if not email:
        return False
    return Suppression.objects.alias(key=Lower("email")).filter(key=email.lower()).exists()


def suppression_of(email: str) -> Suppression | None:
    if not email:
        return None
    return Suppression.objects.alias(key=Lower("email")).filter(key=email.lower()).first()


def active_types() -> QuerySet:
    return SubscriptionType.objects.filter(archived=False)


def subscription_states(contact, types: QuerySet | None = None, *,
                        with_suppression: bool = False):
    """Each subscription type (the non-archived ones unless `types` says otherwise) with the
    contact's state of it, in one query: {"type", "status" ("subscribed" / "pending" /
    "unsubscribed" / ""), "receives", "updated_at"}. `receives` is what a send of that type
    would do, suppression aside.

    `with_suppression=True` answers (states, suppression reason or "") and reads the
    address's suppression in the same query (the contact page's panel stays at two queries
    with its consent log)."""
    types = active_types() if types is None else types
    rows = types.alias(_mine=FilteredRelation(
        "subscriptions", condition=Q(subscriptions__contact_id=contact.pk))).annotate(
        contact_status=F("_mine__status"), contact_updated_at=F("_mine__updated_at"))
    if with_suppression:
        rows = rows.annotate(suppression_reason=Subquery(
            Suppression.objects.alias(key=Lower("email"))
            .filter(key=(contact.email or "").lower()).values("reason")[:1]))
    states = []
    for kind in rows:
        status = kind.contact_status or ""
        if kind.requires_opt_in:
            receives = status == Subscription.Status.SUBSCRIBED
        else:
            receives = status in ("", Subscription.Status.SUBSCRIBED)
        states.append({"type": kind, "status": status, "receives": receives,
                       "updated_at": kind.contact_updated_at})
    if not with_suppression:
        return states
    if states:
        reason = states[0]["type"].suppression_reason or ""
    else:
        found = suppression_of(contact.email)
        reason = found.reason if found else ""
    return states, reason


def suppression_list(search: str = "") -> QuerySet:
    rows = Suppression.objects.select_related("created_by")
    if search:
        rows = rows.filter(Q(email__icontains=search.strip().lower())
                           | Q(detail__icontains=search.strip()))
    return rows


def consent_log(contact) -> QuerySet:
    return (ConsentRecord.objects.filter(contact=contact)
            .select_related("subscription_type", "actor")
            .order_by("-occurred_at", "-id"))


def types_with_counts() -> QuerySet:
    """Subscription types with how many contacts are subscribed and whether any send used
    them (a type with sends is archived, never deleted)."""
    from clarion.sending.models import Send

    subscribed = (Subscription.objects
                  .filter(subscription_type=OuterRef("pk"), status=Subscription.Status.SUBSCRIBED)
                  .order_by().values("subscription_type").annotate(n=Count("pk")).values("n"))
    return SubscriptionType.objects.annotate(
        subscribed_count=Coalesce(Subquery(subscribed, output_field=IntegerField()), 0),
        has_sends=Exists(Send.objects.filter(subscription_type=OuterRef("pk"))),
    ).order_by("archived", "position", "id")
