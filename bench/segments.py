"""Segment speed at scale: `python -m bench.segments [--scale N]`.

Budgets on PostgreSQL at 1M contacts and 10M behavioural events (bench.generate):
- count of a 4-condition segment (3 property conditions + "viewed /pricing at least 3 times
  in the last 30 days") ≤ 1 s, through the same code the builder's live count uses; the same
  count hand-written in SQL (with the same case-insensitive "contains") is the ceiling;
- full refresh of a ~100k-member segment ≤ 10 s, measured with 10,000 membership changes
  to make (the initial build, where all 100k join and 100k events are written, is printed
  too);
- incremental re-check of one contact after an event ≤ 20 ms (p95).

Prints the EXPLAIN plans of the count and of the refresh's set difference. Leaves the data
as it found it (the bench segments and their events are deleted at the end).
"""

import argparse
import os
import statistics
import time

from bench import p95, setup_django, timed

COUNTRIES = ["United States", "United Kingdom", "Germany", "France", "Canada"]
PRICING = {"property": "url", "op": "contains", "value": "/pricing"}
FOUR_CONDITIONS = {"all": [
    {"property": "country", "op": "in", "value": COUNTRIES},
    {"property": "lifecycle_stage", "op": "eq", "value": "lead"},
    {"property": "created_at", "op": "within_last_days", "value": 365},
    {"event": "page.viewed", "where": PRICING, "count": {"gte": 3}, "within_days": 30},
]}
# About a tenth of the contacts: gold tier, a lead or MQL, seen on the site in 90 days.
LARGE = {"all": [
    {"property": "tier", "op": "eq", "value": "gold"},
    {"property": "lifecycle_stage", "op": "in", "value": ["lead", "mql"]},
    {"event": "page.viewed", "within_days": 90},
]}
HAND_WRITTEN_COUNT = """
    SELECT count(*) FROM crm_contact c
    WHERE c.country IN ('United States', 'United Kingdom', 'Germany', 'France', 'Canada')
      AND c.lifecycle_stage = 'lead'
      AND c.created_at >= now() - interval '365 days'
      AND (SELECT count(*) FROM core_event e
           WHERE e.contact_id = c.id AND e.kind = 'page.viewed'
             AND e.occurred_at >= now() - interval '30 days'
             AND e.data ->> 'url' ILIKE '%%/pricing%%') >= 3
"""
HAND_WRITTEN_JOIN = """
    SELECT count(*) FROM crm_contact c
    WHERE c.country IN ('United States', 'United Kingdom', 'Germany', 'France', 'Canada')
      AND c.lifecycle_stage = 'lead'
      AND c.created_at >= now() - interval '365 days'
      AND c.id IN (SELECT e.contact_id FROM core_event e
                   WHERE e.kind = 'page.viewed' AND e.occurred_at >= now() - interval '30 days'
                     AND e.data ->> 'url' ILIKE '%%/pricing%%'
                   GROUP BY e.contact_id HAVING count(*) >= 3)
"""
REPEAT = 5
RECHECKS = 50


def ensure_data(scale: int) -> None:
    from clarion.core.events.models import Event
    from clarion.crm.models import Contact

    if (Contact.objects.count() < scale
            or not Event.objects.filter(kind="page.viewed").exists()):
        from bench.generate import load

        print("loading", load(scale))


def bench_user():
    from clarion.accounts.models import User
    from clarion.accounts.services import create_user, ensure_default_roles

    return User.objects.filter(email="bench-admin@example.com").first() or create_user(
        email="bench-admin@example.com", password="bench-password",
        role=ensure_default_roles()["Admin"])


def sql_ms(sql: str) -> tuple[float, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        value = cursor.fetchone()[0]
    return (time.perf_counter() - started) * 1000, value


def explain(queryset_or_sql, params=()) -> str:
    from django.db import connection

    if not isinstance(queryset_or_sql, str):
        queryset_or_sql, params = queryset_or_sql.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {queryset_or_sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure_count(user) -> tuple[float, int]:
    from clarion.segments.queries import count_matching, matching

    found = count_matching(FOUR_CONDITIONS, user)  # warm
    durations = timed(lambda: count_matching(FOUR_CONDITIONS, user), REPEAT)
    value = statistics.median(durations)
    print(f"count of the 4-condition segment: {found} contacts, median {value:.0f} ms, "
          f"max {max(durations):.0f} ms")
    hand = statistics.median(sql_ms(HAND_WRITTEN_COUNT)[0] for _ in range(REPEAT))
    join = statistics.median(sql_ms(HAND_WRITTEN_JOIN)[0] for _ in range(REPEAT))
    ceiling = min(hand, join)
    print(f"hand-written SQL, median: correlated count {hand:.0f} ms, grouped semi-join "
          f"{join:.0f} ms; ratio to the best {value / ceiling:.2f}×")
    print("EXPLAIN count (ORM):")
    print(explain(matching(FOUR_CONDITIONS, user).values("pk")))
    return value, found


def measure_refresh(user) -> float:
    """The initial build (everyone joins), a refresh after 10,000 membership changes (5,000
    joins and 5,000 leaves: stored rows removed and wrong ones added behind its back), and a
    refresh with nothing to change. The second is the budget's "full refresh of a 100k-member
    segment"; all three are printed."""
    from clarion.crm.models import Contact
    from clarion.segments.models import SegmentMembership
    from clarion.segments.services import create_segment, refresh_segment

    started = time.perf_counter()
    segment = create_segment(actor=user, name="bench: large", kind="dynamic", definition=LARGE)
    build = time.perf_counter() - started
    print(f"initial build, everyone joins: {segment.member_count} members in {build:.2f} s")
    members = SegmentMembership.objects.filter(segment=segment)
    dropped = list(members.order_by("contact_id").values_list("pk", flat=True)[:5000])
    members.filter(pk__in=dropped).delete()
    outsiders = (Contact.objects.exclude(segment_memberships__segment=segment)
                 .exclude(properties__tier="gold").order_by("id")
                 .values_list("pk", flat=True)[:5000])
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment=segment, contact_id=pk) for pk in outsiders])
    started = time.perf_counter()
    joined, left = refresh_segment(segment)
    churn = time.perf_counter() - started
    print(f"full refresh of {segment.member_count} members with 10,000 changes: "
          f"({joined} joined, {left} left) in {churn:.2f} s")
    started = time.perf_counter()
    joined, left = refresh_segment(segment)
    print(f"full refresh, nothing changed: ({joined}, {left}) in "
          f"{time.perf_counter() - started:.2f} s")
    print("EXPLAIN the refresh's evaluation of the definition:")
    print(explain(_matching(segment)))
    return churn


def _matching(segment):
    from clarion.crm.models import Contact
    from clarion.segments.services import compile_definition

    return Contact.objects.filter(compile_definition(segment)).order_by().values("pk")


def measure_recheck(user, scale: int) -> float:
    """p95 of the event handler re-checking one contact after a page view, with the two
    bench segments (and the four-condition one) listening for page views."""
    import random

    from django.db import transaction

    from clarion.core.events import emit
    from clarion.segments.handlers import recheck_after_event
    from clarion.segments.services import create_segment

    create_segment(actor=user, name="bench: pricing", kind="dynamic",
                   definition=FOUR_CONDITIONS)
    rng = random.Random(3)
    durations = []
    for _ in range(RECHECKS):
        contact_id = rng.randint(1, scale)
        with transaction.atomic():
            event = emit("page.viewed", contact_id=contact_id,
                         data={"url": "https://example.com/pricing"})
            started = time.perf_counter()
            recheck_after_event(event)
            durations.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    value = p95(durations)
    print(f"incremental re-check of one contact: p95 {value:.1f} ms, median "
          f"{statistics.median(durations):.1f} ms over {RECHECKS} events")
    return value


def clean_up() -> None:
    from django.db import connection

    from clarion.core.events.models import Event
    from clarion.segments.models import Segment

    bench = Segment.objects.filter(name__startswith="bench: ")
    ids = list(bench.values_list("pk", flat=True))
    Event.objects.filter(kind__startswith="segment.", data__segment__in=ids).delete()
    bench.delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE segments_segmentmembership")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1_000_000)
    args = parser.parse_args()
    # Events the bench writes are not dispatched here (no worker): a task row is enough.
    os.environ.setdefault("CLARION_TASKS", "db")
    setup_django()
    ensure_data(args.scale)
    clean_up()
    user = bench_user()
    try:
        count_ms, _found = measure_count(user)
        refresh_s = measure_refresh(user)
        recheck_ms = measure_recheck(user, args.scale)
    finally:
        clean_up()
    checks = [("count_ms", count_ms, 1000), ("refresh_s", refresh_s, 10),
              ("recheck_p95_ms", recheck_ms, 20)]
    for metric, value, budget in checks:
        print(f"{metric}={value:.2f} budget={budget} {'ok' if value <= budget else 'FAIL'}")
    ok = all(value <= budget for _metric, value, budget in checks)
    print(f"RESULT segments count_ms={count_ms:.1f} budget=1000 refresh_s={refresh_s:.2f} "
          f"budget=10 recheck_p95_ms={recheck_ms:.1f} budget=20 {'ok' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
