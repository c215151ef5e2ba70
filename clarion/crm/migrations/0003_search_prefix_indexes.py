"""Prefix-search indexes for global search on PostgreSQL (see docs/architecture.md,
"Search"): `lower(column) text_pattern_ops` btree indexes answer `LIKE 'abc%'` on the
lower-cased value with a range scan. SQLite has no operator classes and skips them."""

from django.db import migrations

INDEXES = [
    ("contact_email_prefix", "crm_contact", "email"),
    ("contact_first_name_prefix", "crm_contact", "first_name"),
    ("contact_last_name_prefix", "crm_contact", "last_name"),
    ("contact_phone_prefix", "crm_contact", "phone"),
    ("contact_mobile_prefix", "crm_contact", "mobile_phone"),
    ("company_name_prefix", "crm_company", "name"),
    ("company_domain_prefix", "crm_company", "domain"),
    ("company_phone_prefix", "crm_company", "phone"),
    ("deal_name_prefix", "crm_deal", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'(lower("{column}") text_pattern_ops)')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_default_pipeline")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
