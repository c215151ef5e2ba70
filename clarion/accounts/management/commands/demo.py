from django.core.management.base import BaseCommand

from clarion.accounts.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, load_demo_workspace


class Command(BaseCommand):
    help = ("Load the demo workspace (users, teams and roles) and demo CRM records. Safe to "
            "run twice.")

    def handle(self, *args, **options):
        people = load_demo_workspace()
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready with {len(people)} users."))
        from clarion.crm.demo import load_demo_records  # the CRM builds on accounts

        if load_demo_records(people):
            self.stdout.write(self.style.SUCCESS("Demo contacts, companies and deals loaded."))
        self.stdout.write(f"Sign in as {DEMO_ADMIN_EMAIL} with the password {DEMO_PASSWORD}")
