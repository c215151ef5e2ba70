"""Load a realistic CRM data set, set-based: `python -m bench.generate --contacts 1000000`.

Contacts (English and Chinese names, unique emails), companies (one per ~20 contacts), deals
(one per ~10 contacts) in the default pipeline, owners spread over ten users, five custom
contact properties, a `contact.created` event per contact and one contact with a 1,000-event
timeline (the detail-page benchmark). PostgreSQL is loaded with COPY; other databases with
bulk inserts.
"""

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta

from bench import setup_django

FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
               "David", "Elizabeth", "Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Hui", "Jun",
               "Aisha", "Mateo", "Sofia", "Lukas", "Emma", "Noah", "Olivia", "Liam"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
              "Müller", "Rossi", "Dubois", "Silva", "Kim", "Nguyen", "Tanaka", "Khan"]
CHINESE_NAMES = [("伟", "王"), ("芳", "李"), ("敏", "张"), ("静", "刘"), ("磊", "陈"),
                 ("洋", "杨"), ("艳", "黄"), ("勇", "赵"), ("军", "吴"), ("杰", "周")]
INDUSTRIES = ["Software", "Manufacturing", "Retail", "Healthcare", "Finance", "Education",
              "Logistics", "Media", "Energy", "Hospitality"]
CITIES = ["London", "New York", "Shanghai", "Beijing", "Berlin", "Paris", "Shenzhen",
          "Singapore", "Toronto", "Sydney", "São Paulo", "Hangzhou"]
COUNTRY_OF = {"London": "United Kingdom", "New York": "United States", "Shanghai": "China",
              "Beijing": "China", "Berlin": "Germany", "Paris": "France", "Shenzhen": "China",
              "Singapore": "Singapore", "Toronto": "Canada", "Sydney": "Australia",
              "São Paulo": "Brazil", "Hangzhou": "China"}
# Behavioural events: kinds by share, and the pages a visitor views (pricing one in five).
BEHAVIOUR_KINDS = [("page.viewed", 0.6), ("email.opened", 0.2), ("email.clicked", 0.1),
                   ("form.submitted", 0.1)]
PAGES = ["/", "/pricing", "/features", "/blog/segments", "/docs", "/pricing", "/about",
         "/contact", "/blog/launch", "/careers"]
BEHAVIOUR_DAYS = 90
LIFECYCLE = (["subscriber"] * 30 + ["lead"] * 35 + ["mql"] * 12 + ["sql"] * 8
             + ["opportunity"] * 6 + ["customer"] * 8 + ["evangelist"])
TIERS = ["bronze", "silver", "gold", "platinum"]
CONTACT_PROPERTIES = [
    ("preferred_language", "Preferred language", "select",
     [{"value": v, "label": v} for v in ("en", "zh", "de", "fr", "es")]),
    ("tier", "Tier", "select", [{"value": v, "label": v.title()} for v in TIERS]),
    ("nps_score", "NPS score", "number", []),
    ("newsletter", "Newsletter", "boolean", []),
    ("last_webinar", "Last webinar", "date", []),
]
START = datetime(2024, 11, 1, tzinfo=UTC)


def contact_row(index: int, rng: random.Random, company_count: int, owners: list[int]):
    if rng.random() < 0.2:
        first, last = rng.choice(CHINESE_NAMES)
    else:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"contact{index}@example{index % 997}.com"
    properties = {
        "preferred_language": rng.choice(["en", "en", "zh", "de", "fr", "es"]),
        "tier": rng.choice(TIERS),
        "nps_score": rng.randint(0, 10),
        "newsletter": rng.random() < 0.4,
        "last_webinar": (START + timedelta(days=rng.randint(0, 700))).date().isoformat(),
    }
    created = START + timedelta(seconds=rng.randint(0, 730 * 86400))
    city = rng.choice(CITIES)
    return (index + 1, email, first, last, f"+1555{index:07d}", city, COUNTRY_OF[city],
            rng.randint(1, company_count), rng.choice(LIFECYCLE), rng.choice(owners),
            json.dumps(properties), created, created)


def load(contacts: int, seed: int = 7, events_per_contact: int = 10) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from clarion.accounts.services import ensure_default_roles
    from clarion.core.properties.models import PropertyDefinition
    from clarion.crm.models import Pipeline

    rng = random.Random(seed)
    started = time.perf_counter()
    truncate()
    roles = ensure_default_roles()
    User = get_user_model()
    owners = [User.objects.create_user(email=f"rep{n}@example.com", password="bench-password",
                                       role=roles["Sales"]).pk for n in range(10)]
    for position, (name, label, kind, options) in enumerate(CONTACT_PROPERTIES):
        PropertyDefinition.objects.create(object_type="contact", name=name, label=label,
                                          type=kind, options=options, position=position)
    company_count = max(1, contacts // 20)
    companies = ((n + 1, f"{rng.choice(LAST_NAMES)} {rng.choice(INDUSTRIES)} {n}",
                  f"example{n}.com", rng.choice(INDUSTRIES), rng.choice(CITIES),
                  rng.choice(owners), "{}", START, START, 1) for n in range(company_count))
    copy_rows("crm_company", ["id", "name", "domain", "industry", "city", "owner_id",
                              "properties", "created_at", "updated_at", "version"], companies)
    contact_rows = (contact_row(n, rng, company_count, owners) for n in range(contacts))
    copy_rows("crm_contact", ["id", "email", "first_name", "last_name", "phone", "city",
                              "country", "company_id", "lifecycle_stage", "owner_id", "properties",
                              "created_at", "updated_at"], contact_rows,
              defaults={"original_source": "import"})
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.values_list("id", flat=True))
    deals = ((n + 1, f"Deal {n}", rng.randint(5, 500) * 100, pipeline.pk, rng.choice(stages),
              rng.randint(1, company_count), rng.choice(owners), START, START, float(n))
             for n in range(max(1, contacts // 10)))
    copy_rows("crm_deal", ["id", "name", "amount", "pipeline_id", "stage_id", "company_id",
                           "owner_id", "created_at", "updated_at", "board_position"], deals)
    load_events(contacts, rng)
    load_behaviour(contacts, contacts * events_per_contact, rng)
    reset_sequences(connection)
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would have by now: visibility maps let index-only scans skip
        # the heap (the behaviour conditions rely on that).
        cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else None
    return {"contacts": contacts, "companies": company_count, "seconds":
            round(time.perf_counter() - started, 1)}


def load_events(contacts: int, rng: random.Random) -> None:
    from django.contrib.contenttypes.models import ContentType

    from clarion.crm.models import Contact

    contact_type = ContentType.objects.get_for_model(Contact).pk
    created = ((n + 1, "contact.created", START, n + 1, contact_type, n + 1,
                '{"source": "import"}', START) for n in range(contacts))
    busy = ((contacts + n + 1, "contact.property_changed", START + timedelta(hours=n), 1,
             contact_type, 1, json.dumps({"field": "nps_score", "old": n, "new": n + 1,
                                          "version": n + 2}), START) for n in range(1000))
    columns = ["id", "kind", "occurred_at", "contact_id", "subject_type_id", "subject_id",
               "data", "dispatched_at"]
    copy_rows("core_event", columns, created)
    copy_rows("core_event", columns, busy)


def load_behaviour(contacts: int, count: int, rng: random.Random) -> None:
    """`count` behavioural events over the last BEHAVIOUR_DAYS days. Contact ids are drawn as
    contacts × u² (u uniform), so activity is skewed: a few contacts are very busy."""
    from django.db import connection

    first_id = contacts + 1000 + 1
    if connection.vendor == "postgresql":
        _insert_behaviour_sql(connection, contacts, count, first_id, rng.random())
        return
    now = datetime.now(UTC)
    kinds, weights = zip(*BEHAVIOUR_KINDS, strict=True)

    def rows():
        for n in range(count):
            kind = rng.choices(kinds, weights)[0]
            contact = int(contacts * rng.random() ** 2) + 1
            occurred = now - timedelta(seconds=rng.randint(0, BEHAVIOUR_DAYS * 86400))
            yield (first_id + n, kind, occurred, contact, json.dumps(behaviour_data(kind, rng)),
                   occurred)

    copy_rows("core_event", ["id", "kind", "occurred_at", "contact_id", "data",
                             "dispatched_at"], rows())


def behaviour_data(kind: str, rng: random.Random) -> dict:
    if kind == "page.viewed":
        return {"url": "https://example.com" + rng.choice(PAGES)}
    if kind in ("email.opened", "email.clicked"):
        return {"campaign": f"Newsletter {rng.randint(1, 12)}"}
    return {"form": rng.choice(["Demo request", "Newsletter sign-up", "Contact us"])}


def _insert_behaviour_sql(connection, contacts: int, count: int, first_id: int,
                          seed: float) -> None:
    """The same distribution generated inside PostgreSQL: no rows travel through Python."""
    cases, low = [], 0.0
    for kind, share in BEHAVIOUR_KINDS:
        low += share
        cases.append(f"WHEN r < {low:.3f} THEN '{kind}'")
    pages = "ARRAY[" + ", ".join(f"'{page}'" for page in PAGES) + "]"
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute(f"""
            INSERT INTO core_event (id, kind, occurred_at, contact_id, data, dispatched_at,
                                    claimed_by)
            SELECT %(first)s + i, kind, at, contact,
                   CASE kind
                     WHEN 'page.viewed' THEN jsonb_build_object(
                       'url', 'https://example.com' || ({pages})[1 + floor(u * 10)::int])
                     WHEN 'form.submitted' THEN jsonb_build_object(
                       'form', (ARRAY['Demo request', 'Newsletter sign-up', 'Contact us'])
                               [1 + floor(u * 3)::int])
                     ELSE jsonb_build_object('campaign', 'Newsletter ' || (1 + floor(u * 12)))
                   END, at, ''
            FROM (SELECT i, CASE {' '.join(cases)} ELSE 'form.submitted' END AS kind,
                         u, contact, at
                  FROM (SELECT i, random() AS r, random() AS u,
                               floor(%(contacts)s * power(random(), 2))::bigint + 1 AS contact,
                               now() - random() * interval '{BEHAVIOUR_DAYS} days' AS at
                        FROM generate_series(0, %(count)s - 1) AS i) AS drawn) AS typed
            ORDER BY at  -- events arrive in time order, as on a live site
        """, {"first": first_id, "contacts": contacts, "count": count})


def model_defaults(table: str, columns: list[str]) -> dict:
    """Values for every other NOT NULL column of `table`, from its model's field defaults, so
    the loader keeps working when fields are added."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or field.primary_key:
            continue
        value = field.get_default()
        defaults[field.column] = json.dumps(value) if field.get_internal_type() == "JSONField" \
            else value
    return defaults


def copy_rows(table: str, columns: list[str], rows, defaults: dict | None = None) -> None:
    from django.db import connection

    defaults = {**model_defaults(table, columns), **(defaults or {})}
    all_columns = columns + list(defaults)
    extra = tuple(defaults.values())
    if connection.vendor == "postgresql":
        quoted = ", ".join(f'"{column}"' for column in all_columns)
        with connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row + extra)
        return
    placeholders = ", ".join(["%s"] * len(all_columns))
    sql = f'INSERT INTO "{table}" ({", ".join(all_columns)}) VALUES ({placeholders})'
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row + extra)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def truncate() -> None:
    from django.db import connection

    tables = ["core_handlerrun", "core_event", "crm_deal_contacts", "crm_deal", "crm_contact",
              "crm_company", "core_propertydefinition"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')
        cursor.execute("DELETE FROM accounts_user WHERE email LIKE 'rep%%@example.com'")


def reset_sequences(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("crm_company", "crm_contact", "crm_deal", "core_event"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", "--scale", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=int, default=10,
                        help="behavioural events per contact on average (default 10)")
    args = parser.parse_args()
    setup_django()
    print(load(args.contacts, events_per_contact=args.events_per_contact))


if __name__ == "__main__":
    main()
