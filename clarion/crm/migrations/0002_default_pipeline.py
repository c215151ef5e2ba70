from django.db import migrations

STAGES = [
    ("Appointment scheduled", 20, "open"),
    ("Qualified to buy", 40, "open"),
    ("Presentation scheduled", 60, "open"),
    ("Decision maker bought-in", 80, "open"),
    ("Contract sent", 90, "open"),
    ("Closed won", 100, "won"),
    ("Closed lost", 0, "lost"),
]


def create_sales_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("crm", "Pipeline")
    Stage = apps.get_model("crm", "Stage")
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="Sales pipeline", is_default=True)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=name, position=position, probability=probability,
              outcome=outcome)
        for position, (name, probability, outcome) in enumerate(STAGES))


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(create_sales_pipeline, migrations.RunPython.noop)]
