from django.db import migrations

# The shipped roles get their descriptions (shown translated while unchanged); roles whose
# description an admin already wrote keep it.


def describe_default_roles(apps, schema_editor):
    from clarion.core.capabilities import DEFAULT_ROLE_DESCRIPTIONS

    Role = apps.get_model("accounts", "Role")
    for name, description in DEFAULT_ROLE_DESCRIPTIONS.items():
        Role.objects.filter(name=name, description="").update(description=description)


def forget_descriptions(apps, schema_editor):
    from clarion.core.capabilities import DEFAULT_ROLE_DESCRIPTIONS

    Role = apps.get_model("accounts", "Role")
    for name, description in DEFAULT_ROLE_DESCRIPTIONS.items():
        Role.objects.filter(name=name, description=description).update(description="")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_login_attempt_throttle_indexes")]
    operations = [migrations.RunPython(describe_default_roles, forget_descriptions)]
