"""Who may receive a send: annotate_exclusion, every reason and their precedence, on SQLite
and PostgreSQL, as one SQL statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clarion.crm.models import Contact
from clarion.subscriptions import queries, services
from clarion.subscriptions.models import Subscription, Suppression

from .support import make_contact, make_type

pytestmark = pytest.mark.django_db


def exclusions(subscription_type, contacts=None) -> dict[str, str]:
    contacts = Contact.objects.all() if contacts is None else contacts
    rows = queries.annotate_exclusion(contacts, subscription_type).values_list("email",
                                                                               "exclusion")
    return dict(rows)


def subscription(contact, kind, status):
    return Subscription.objects.create(contact=contact, subscription_type=kind, status=status)


def test_opt_out_type_every_reason():
    kind = make_type("News")
    fine = make_contact(email="fine@example.org")
    make_contact(email="", first_name="No address")
    suppressed = make_contact(email="Gone@Example.org")
    Suppression.objects.create(email="gone@example.org", reason="hard_bounce")
    left = make_contact(email="left@example.org")
    subscription(left, kind, Subscription.Status.UNSUBSCRIBED)
    waiting = make_contact(email="waiting@example.org")
    subscription(waiting, kind, Subscription.Status.PENDING)
    subscribed = make_contact(email="in@example.org")
    subscription(subscribed, kind, Subscription.Status.SUBSCRIBED)

    assert exclusions(kind) == {
        "fine@example.org": "", "": "no_email", "Gone@Example.org": "suppressed",
        "left@example.org": "unsubscribed", "waiting@example.org": "pending_confirmation",
        "in@example.org": ""}
    assert fine and suppressed


def test_opt_in_type_needs_a_subscribed_row():
    kind = make_type("Offers", requires_opt_in=True)
    make_contact(email="never@example.org")
    yes = make_contact(email="yes@example.org")
    subscription(yes, kind, Subscription.Status.SUBSCRIBED)
    waiting = make_contact(email="waiting@example.org")
    subscription(waiting, kind, Subscription.Status.PENDING)
    left = make_contact(email="left@example.org")
    subscription(left, kind, Subscription.Status.UNSUBSCRIBED)
    # Another type's subscription is not consent to this one.
    other = make_type("Other", requires_opt_in=True)
    elsewhere = make_contact(email="elsewhere@example.org")
    subscription(elsewhere, other, Subscription.Status.SUBSCRIBED)

    assert exclusions(kind) == {
        "never@example.org": "no_consent", "yes@example.org": "",
        "waiting@example.org": "pending_confirmation", "left@example.org": "unsubscribed",
        "elsewhere@example.org": "no_consent"}
    assert exclusions(other)["elsewhere@example.org"] == ""


def test_precedence_no_email_then_suppressed_then_the_subscription():
    kind = make_type("Offers", requires_opt_in=True)
    both = make_contact(email="both@example.org")
    subscription(both, kind, Subscription.Status.UNSUBSCRIBED)
    services.suppress("BOTH@example.org", Suppression.Reason.COMPLAINT)
    blank = make_contact(email="", first_name="Blank")
    subscription(blank, kind, Subscription.Status.UNSUBSCRIBED)
    assert exclusions(kind) == {"both@example.org": "suppressed", "": "no_email"}


def test_no_type_only_the_address_counts():
    kind = make_type("Offers", requires_opt_in=True)
    left = make_contact(email="left@example.org")
    subscription(left, kind, Subscription.Status.UNSUBSCRIBED)
    make_contact(email="never@example.org")
    make_contact(email="x@example.org")
    services.suppress("x@example.org", Suppression.Reason.MANUAL)
    assert exclusions(None) == {"left@example.org": "", "never@example.org": "",
                                "x@example.org": "suppressed"}


def test_one_statement_and_composable():
    kind = make_type("News")
    for number in range(5):
        make_contact(email=f"p{number}@example.org")
    base = Contact.objects.filter(email__startswith="p").order_by("pk")
    with CaptureQueriesContext(connection) as captured:
        eligible = list(queries.annotate_exclusion(base, kind).filter(exclusion="")
                        .values_list("pk", flat=True))
    assert len(captured.captured_queries) == 1
    assert len(eligible) == 5
    # A contact appears once, whatever rows the join meets.
    assert queries.annotate_exclusion(base, kind).count() == 5


def test_email_change_does_not_carry_suppression():
    kind = make_type("News")
    contact = make_contact(email="old@example.org")
    services.suppress("old@example.org", Suppression.Reason.HARD_BOUNCE)
    assert exclusions(kind)["old@example.org"] == "suppressed"
    Contact.objects.filter(pk=contact.pk).update(email="new@example.org")
    assert exclusions(kind) == {"new@example.org": ""}
    # The old address stays suppressed for whoever holds it next.
    make_contact(email="OLD@example.org")
    assert exclusions(kind)["OLD@example.org"] == "suppressed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
def test_postgresql_plan_uses_the_indexes():
    kind = make_type("News", requires_opt_in=True)
    for number in range(30):
        contact = make_contact(email=f"p{number}@example.org")
        subscription(contact, kind, Subscription.Status.SUBSCRIBED)
        Suppression.objects.create(email=f"s{number}@example.org", reason="manual")
    query = queries.annotate_exclusion(Contact.objects.all(), kind).values("pk", "exclusion")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Suppression is probed through lower(email)'s unique index, never scanned per row.
    assert "suppression_email_once" in plan, plan
    assert "Seq Scan on subscriptions_suppression" not in plan, plan
    # The subscription is a join, not a subquery per contact: the only subplan is the probe.
    assert plan.count("SubPlan") == 1, plan
    assert "Join" in plan and "subscriptions_subscription _consent" in plan, plan
