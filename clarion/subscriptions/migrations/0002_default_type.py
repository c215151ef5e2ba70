from django.db import migrations


def seed(apps, schema_editor):
    subscription_type = apps.get_model("subscriptions", "SubscriptionType")
    if not subscription_type.objects.exists():
        subscription_type.objects.create(
            name="Marketing email",
            description="News, offers and updates from us.",
            requires_opt_in=False, double_opt_in=False, is_default=True, position=0)


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
