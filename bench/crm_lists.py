"""CRM list, search and detail speed at scale: `python -m bench.crm_lists [--scale N]`.

Budgets on PostgreSQL at 1M contacts: contact list page and API list p95 ≤ 100 ms (first
and a deep page), list filtered by a custom property ≤ 200 ms, search ≤ 200 ms, contact
detail with a 1,000-event timeline ≤ 150 ms. The ceiling is the bare SQL of the first page.
Requests go through the whole Django stack in-process (middleware, permissions, templates).
"""

import argparse
import json

from bench import p95, report, setup_django, timed

REPEAT = 20


def ensure_data(scale: int) -> None:
    from clarion.crm.models import Contact

    if Contact.objects.count() < scale:
        from bench.generate import load

        print("loading", load(scale))


def bench_user_and_key():
    from clarion.accounts.models import APIKey, User, hash_secret
    from clarion.accounts.services import create_user, ensure_default_roles

    user = User.objects.filter(email="bench-admin@example.com").first() or create_user(
        email="bench-admin@example.com", password="bench-password",
        role=ensure_default_roles()["Admin"])
    APIKey.objects.filter(user=user).delete()
    prefix, secret = APIKey.generate_secret()
    APIKey.objects.create(name="bench", user=user, prefix=prefix, key_hash=hash_secret(secret),
                          scopes=["contacts:read"])
    return user, secret


def deep_list_cursor(offset: int) -> str:
    from clarion.crm.lists import encode_cursor
    from clarion.crm.models import Contact

    row = Contact.objects.order_by("-created_at", "-id").values("created_at", "id")[offset]
    return encode_cursor(row["created_at"], row["id"])


def deep_api_cursor(offset: int) -> str:
    from clarion.api.pagination import encode_cursor
    from clarion.crm.models import Contact

    row = Contact.objects.order_by("-created_at", "-id").values("created_at", "id")[offset]
    return encode_cursor(row["created_at"], row["id"])


def bare_first_page() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM crm_contact ORDER BY created_at DESC, id DESC LIMIT 51")
        cursor.fetchall()


def measure(client, url: str, **headers) -> list[float]:
    def get():
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        return response

    get()  # warm caches and connections
    return timed(get, REPEAT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.urls import reverse

    ensure_data(args.scale)
    user, key = bench_user_and_key()
    client = Client()
    client.force_login(user)
    auth = {"Authorization": f"Bearer {key}"}
    deep = args.scale // 2
    tier_filter = json.dumps({"all": [{"property": "tier", "op": "eq", "value": "gold"}]})
    contacts = reverse("crm:contact_list")
    cases = [
        ("contact list, first page", contacts, {}, 100),
        ("contact list, deep page", f"{contacts}?after={deep_list_cursor(deep)}", {}, 100),
        ("API list, first page", "/api/v1/contacts", auth, 100),
        ("API list, deep page", f"/api/v1/contacts?cursor={deep_api_cursor(deep)}", auth, 100),
        ("list filtered by a custom property", f"{contacts}?filter={tier_filter}", {}, 200),
        ("search", "/search/?q=contact12345@example", {}, 200),
        ("contact detail, 1,000-event timeline", reverse("crm:contact_detail", args=[1]), {},
         150),
    ]
    ceiling = p95(timed(bare_first_page, REPEAT))
    print(f"ceiling: bare SQL first page p95 {ceiling:.1f} ms")
    all_ok, first = True, None
    for label, url, headers, budget in cases:
        value = p95(measure(client, url, **headers))
        first = first if first is not None else value
        ok = value <= budget
        all_ok &= ok
        print(f"{label}: p95 {value:.1f} ms (budget {budget} ms, {value / ceiling:.0f}× bare "
              f"SQL) {'ok' if ok else 'FAIL'}")
    report("crm_lists", "list_p95_ms", first, 100) if all_ok else print(
        f"RESULT crm_lists list_p95_ms={first:.1f} budget=100 FAIL")


if __name__ == "__main__":
    main()
