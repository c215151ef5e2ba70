from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run what is queued, then exit (database queue only).")
        parser.add_argument("--concurrency", type=int, default=2, help="Celery processes.")
        parser.add_argument("--queues", default="",
                            help="Comma-separated queues to consume (default: all for the "
                                 "database queue, the default queue for Celery).")

    def handle(self, *args, batch, concurrency, queues, **options):
        if settings.CLARION_TASKS == "celery":
            from clarion.celery import app

            argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
            if queues:
                argv.append(f"--queues={queues}")
            app.worker_main(argv)
            return
        worker_options = {"queue_name": queues or "*", "reload": False, "startup_delay": False}
        if batch:
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)
