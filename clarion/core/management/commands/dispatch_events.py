import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from clarion.core.events.dispatch import BATCH_SIZE, dispatch_pending, retry_failed_runs


class Command(BaseCommand):
    help = "Dispatch pending events to their handlers until none is due (or forever)."

    def add_arguments(self, parser):
        parser.add_argument("--forever", action="store_true",
                            help="Keep dispatching, polling every --interval seconds.")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--retry-failed", action="store_true",
                            help="First give dead-lettered handler runs a fresh set of attempts.")
        parser.add_argument("--handler", help="With --retry-failed: only this handler's runs.")

    def handle(self, *args, forever, interval, batch_size, retry_failed, handler, **options):
        if retry_failed:
            requeued = retry_failed_runs(handler=handler)
            self.stdout.write(f"{requeued} failed handler runs will be retried")
        if not forever:
            claimed = dispatch_pending(size=batch_size)
            self.stdout.write(f"{claimed} events dispatched")
            return
        try:
            while True:
                close_old_connections()
                dispatch_pending(size=batch_size)
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("stopped")
