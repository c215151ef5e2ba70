from django.db import migrations

# Every install starts with the shipped roles; admins edit them afterwards.


def create_default_roles(apps, schema_editor):
    from clarion.core.capabilities import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for name, capabilities in DEFAULT_ROLES.items():
        Role.objects.get_or_create(name=name, defaults={"capabilities": capabilities})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_default_roles, migrations.RunPython.noop)]
