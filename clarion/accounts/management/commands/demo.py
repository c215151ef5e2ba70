from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from clarion.accounts.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, load_demo_workspace


class Command(BaseCommand):
    help = ("Load the demo workspace (users, teams and roles), demo CRM records and each "
            "app's demo data. Safe to run twice.")

    def handle(self, *args, **options):
        people = load_demo_workspace()
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready with {len(people)} users."))
        from clarion.crm.demo import load_demo_records  # the CRM builds on accounts

        if load_demo_records(people):
            self.stdout.write(self.style.SUCCESS("Demo contacts, companies and deals loaded."))
        for loaded in load_app_demos(people):
            self.stdout.write(self.style.SUCCESS(loaded))
        self.stdout.write(f"Sign in as {DEMO_ADMIN_EMAIL} with the password {DEMO_PASSWORD}")


def load_app_demos(people) -> list[str]:
    """Each app built on the CRM may ship `demo.py` with `load_demo(people) -> str`, which
    loads its demo data once (returning what it loaded, or "" when already there); they run
    in INSTALLED_APPS order, so an app sees the data of the apps it builds on."""
    loaded = []
    for config in apps.get_app_configs():
        if config.label in ("accounts", "crm") or not config.name.startswith("clarion."):
            continue
        if module_has_submodule(config.module, "demo"):
            summary = import_module(f"{config.name}.demo").load_demo(people)
            if summary:
                loaded.append(summary)
    return loaded
