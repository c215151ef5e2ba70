"""Turning a send's audience into one Message row per contact, in one INSERT … SELECT.

The contacts' query (whatever lists and segments chose them) is annotated with the consent
verdict (clarion.subscriptions.queries.annotate_exclusion), then two window functions do the
rest inside the database: which contact keeps an address shared by several (the lowest id),
and, for an A/B test, a well-mixed order (MD5 of send and contact id) that puts the first
`percent` of the eligible recipients in the test, dealt round-robin over the variants.
`ON CONFLICT DO NOTHING` on the (send, contact) key makes resolving again harmless: contacts
that already have a message keep it untouched.
"""

import hashlib
import hmac
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from clarion.crm.models import Contact
from clarion.subscriptions.queries import annotate_exclusion

DUPLICATE_ADDRESS = "duplicate_address"


@dataclass(frozen=True)
class Audience:
    """What resolution needs to know besides the contacts."""

    send_id: int
    sender_domain: str
    due_at: datetime
    # {time zone name: moment}, plus the fallback moment for every other zone
    due_by_zone: dict[str, datetime] | None = None
    ab: tuple[int, int] | None = None


def candidate_rows(contacts: QuerySet, subscription_type) -> QuerySet:
    """One row per distinct contact: id, normalized address, time zone and exclusion."""
    if len(contacts.query.alias_map) > 1 or contacts.query.distinct:
        # Joins (several segments, list memberships) can repeat a contact: dedupe by id.
        contacts = Contact.objects.filter(pk__in=contacts.order_by().values("pk"))
    annotated = annotate_exclusion(contacts.order_by(), subscription_type)
    return annotated.annotate(cid=F("pk"), address=Lower(Trim("email")),
                              tz=F("time_zone")).values("cid", "address", "tz", "exclusion")


def due_moments(contacts: QuerySet, local_time: datetime, fallback_time_zone: str
                ) -> tuple[dict[str, datetime], datetime]:
    """The moment `local_time` (naive) happens in each distinct zone of the contacts; zones
    Python does not know (and empty ones) use the fallback zone."""
    fallback = local_time.replace(tzinfo=_zone(fallback_time_zone) or zoneinfo.ZoneInfo("UTC"))
    zones = (contacts.order_by().exclude(time_zone="").values_list("time_zone", flat=True)
             .distinct())
    moments = {}
    for name in zones:
        zone = _zone(name)
        if zone is not None:
            moments[name] = local_time.replace(tzinfo=zone)
    return moments, fallback


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def insert_messages(rows: QuerySet, audience: Audience) -> int:
    """Insert the messages; returns how many rows were new."""
    inner_sql, inner_params = rows.query.sql_with_params()
    sql, params = _insert_sql(inner_sql, list(inner_params), audience)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _insert_sql(inner_sql: str, inner_params: list, audience: Audience) -> tuple[str, list]:
    adapt = connection.ops.adapt_datetimefield_value
    eligible = "r.exclusion = '' AND r.dup = 1"
    due_sql, due_params = _due_sql(audience, adapt)
    if audience.ab:
        percent, variants = audience.ab
        in_test = f"(r.pos * 100 <= r.pool * {int(percent)})"
        variant_sql = f"CASE WHEN {eligible} AND {in_test} THEN (r.pos - 1) %% {int(variants)} " \
                      "ELSE 0 END"
        held_when = f"WHEN NOT {in_test} THEN 'held' "
        mix = ("ROW_NUMBER() OVER (PARTITION BY d.exclusion = '' AND d.dup = 1 "
               f"ORDER BY MD5(CAST(d.cid AS TEXT) || '.{int(audience.send_id)}'), d.cid) AS pos, "
               "COUNT(*) OVER (PARTITION BY d.exclusion = '' AND d.dup = 1) AS pool")
    else:
        variant_sql, held_when, mix = "0", "", "0 AS pos, 0 AS pool"
    domain = ("split_part(r.address, '@', 2)" if connection.vendor == "postgresql"
              else "substr(r.address, instr(r.address, '@') + 1)")
    salt = _message_id_salt(audience.send_id)
    message_id = (f"CASE WHEN {eligible} THEN '<{int(audience.send_id)}.' || "
                  "CAST(r.cid AS TEXT) || '.' || "
                  f"substr(MD5(%s || CAST(r.cid AS TEXT)), 1, 12) || '@' || %s || '>' "
                  "ELSE '' END")
    sql = f"""
        INSERT INTO sending_message (
            send_id, contact_id, email, domain, variant, status, reason, due_at, attempts,
            uncertain_attempts, message_id, smtp_response, created_at, open_count,
            machine_open_count, click_count, machine_click_count, bounce_kind)
        SELECT {int(audience.send_id)}, r.cid, r.address, {domain}, {variant_sql},
            CASE WHEN r.exclusion <> '' OR r.dup > 1 THEN 'skipped' {held_when}
                 ELSE 'queued' END,
            CASE WHEN r.exclusion <> '' THEN r.exclusion
                 WHEN r.dup > 1 THEN '{DUPLICATE_ADDRESS}' ELSE '' END,
            {due_sql}, 0, 0, {message_id}, '', %s, 0, 0, 0, 0, ''
        FROM (
            SELECT d.*, {mix}
            FROM (
                SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.exclusion, c.address
                                               ORDER BY c.cid) AS dup
                FROM ({inner_sql}) c
            ) d
        ) r
        WHERE 1 = 1
        ON CONFLICT (send_id, contact_id) DO NOTHING
    """
    params = [*due_params, salt, audience.sender_domain, adapt(timezone.now()), *inner_params]
    return sql, params


def _due_sql(audience: Audience, adapt) -> tuple[str, list]:
    if not audience.due_by_zone:
        return "%s", [adapt(audience.due_at)]
    whens, params = [], []
    for name, moment in audience.due_by_zone.items():
        whens.append("WHEN %s THEN %s")
        params += [name, adapt(moment)]
    return f"CASE r.tz {' '.join(whens)} ELSE %s END", [*params, adapt(audience.due_at)]


def _message_id_salt(send_id: int) -> str:
    """Unpredictable across installs (so two Clarions sending from one domain never mint the
    same Message-ID), stable for a send (so a retry carries the same one)."""
    key = hashlib.sha256(b"clarion.sending.message-id" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(send_id).encode(), hashlib.sha256).hexdigest()[:16]


def counts_by_reason(send_id: int) -> tuple[int, dict[str, int]]:
    """(messages that will or may go out, {reason: skipped count})."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, reason, COUNT(*) FROM sending_message WHERE send_id = %s "
                       "GROUP BY status, reason", [send_id])
        rows = cursor.fetchall()
    recipients = sum(count for status, _reason, count in rows if status != "skipped")
    excluded: dict[str, int] = {}
    for status, reason, count in rows:
        if status == "skipped":
            excluded[reason] = excluded.get(reason, 0) + count
    return recipients, excluded
