from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run what is queued, then exit (database queue only).")
        parser.add_argument("--concurrency", type=int, default=2, help="Celery processes.")

    def handle(self, *args, batch, concurrency, **options):
        if settings.CLARION_TASKS == "celery":
            from clarion.celery import app

            app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}"])
            return
        worker_options = {"queue_name": "*", "reload": False, "startup_delay": False}
        if batch:
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)
