import hashlib
import os
import threading

import uvicorn
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

from clarion.accounts.models import User
from clarion.core.embedded import start_scheduler_thread, start_worker_thread

STATIC_FINGERPRINT = ".clarion-static-fingerprint"


def static_fingerprint() -> str:
    """A digest of every static source file's path, size and time: changes after upgrades."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_if_changed(stdout) -> None:
    """Collect static files into the data folder when they are missing or out of date, so
    the one-command server has its CSS, scripts and API docs assets."""
    stamp = settings.STATIC_ROOT / STATIC_FINGERPRINT
    fingerprint = static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    stdout.write("Collecting static files…")
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


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
        collect_static_if_changed(self.stdout)
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
