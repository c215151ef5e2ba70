import os
import threading

import uvicorn
from django.core.management import call_command
from django.core.management.base import BaseCommand

from clarion.accounts.models import User
from clarion.core.embedded import start_scheduler_thread, start_worker_thread


class Command(BaseCommand):
    help = "Migrate, load the demo workspace on first start, and serve Clarion with an " \
           "in-process worker and scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument("--no-background", action="store_true",
                            help="Serve only; run `clarion worker` and `clarion scheduler` "
                                 "elsewhere.")

    def handle(self, *args, host, port, no_demo, no_background, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not User.objects.exists():
            call_command("demo", stdout=self.stdout)
        stop = threading.Event()
        if not no_background:
            start_worker_thread()
            start_scheduler_thread(stop)
        self.stdout.write(f"Clarion is running at http://{host}:{port}/  (Ctrl+C stops it)")
        try:
            uvicorn.run("clarion.asgi:application", host=host, port=port, log_level="info",
                        lifespan="off")
        finally:
            stop.set()
