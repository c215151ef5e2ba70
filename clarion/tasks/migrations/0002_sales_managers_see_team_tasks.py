"""Existing "Sales manager" roles get the new tasks.view_team capability the shipped role now
has (new installs get it from the role's definition)."""

from django.db import migrations

ROLE, CAPABILITY = "Sales manager", "tasks.view_team"


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(name=ROLE):
        if CAPABILITY not in role.capabilities:
            role.capabilities = [*role.capabilities, CAPABILITY]
            role.save(update_fields=["capabilities"])


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(name=ROLE):
        role.capabilities = [c for c in role.capabilities if c != CAPABILITY]
        role.save(update_fields=["capabilities"])


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
