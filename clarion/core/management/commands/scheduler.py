from django.core.management.base import BaseCommand

from clarion.core import scheduler


class Command(BaseCommand):
    help = "Run the scheduler that enqueues periodic jobs (run exactly one per installation)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick, then exit.")

    def handle(self, *args, once, **options):
        if once:
            self.stdout.write(", ".join(scheduler.tick()) or "nothing due")
            return
        scheduler.run_forever()
