"""`clarion send-worker`: dedicated email delivery processes.

Each process claims batches of due messages (SKIP LOCKED on PostgreSQL), so any number of
them, on any number of machines, share the work without sending anything twice.
"""

import signal
import subprocess
import sys
import threading

from django.core.management.base import BaseCommand
from django.db import connections

from clarion.sending import conf
from clarion.sending.delivery import Worker


class Command(BaseCommand):
    help = "Deliver marketing email: claim due messages and send them, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--processes", type=int, default=1,
                            help="Delivery processes to run side by side (default 1).")
        parser.add_argument("--threads", type=int, default=1,
                            help="Delivery loops per process, each with its own SMTP and "
                                 "database connection (delivery mostly waits on both).")
        parser.add_argument("--until-idle", action="store_true",
                            help="Exit once no send has a message left to deliver.")
        parser.add_argument("--idle-sleep", type=float, default=1.0,
                            help="Seconds to wait when nothing is due.")

    def handle(self, *args, processes, threads, until_idle, idle_sleep, **options):
        if processes > 1:
            return self._supervise(processes, threads, until_idle, idle_sleep)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        settings = conf.current()
        self.stdout.write(f"send-worker: {threads} loop(s), batches of {settings.batch}, "
                          f"lease {settings.lease_seconds} s")
        sent: list[int] = []
        loops = [threading.Thread(target=self._loop, name=f"send-worker-{n}",
                                  args=(settings, stop, until_idle, idle_sleep, sent))
                 for n in range(threads)]
        for loop in loops:
            loop.start()
        for loop in loops:
            loop.join()
        self.stdout.write(f"send-worker: {sum(sent)} sent")

    @staticmethod
    def _loop(settings, stop: threading.Event, until_idle: bool, idle_sleep: float,
              sent: list[int]) -> None:
        worker = Worker(settings=settings, own_connection=True)
        try:
            if until_idle:
                worker.run(until_idle=True, stop=stop, idle_sleep=idle_sleep)
            while not until_idle and not stop.is_set():
                worker.run(stop=stop)
                stop.wait(idle_sleep)
        finally:
            worker.close()
            sent.append(worker.delivered)
            connections.close_all()

    def _supervise(self, processes: int, threads: int, until_idle: bool,
                   idle_sleep: float) -> None:
        argv = [sys.executable, "-m", "clarion.cli", "send-worker", f"--threads={threads}",
                f"--idle-sleep={idle_sleep}", *(["--until-idle"] if until_idle else [])]
        children = [subprocess.Popen(argv) for _ in range(processes)]

        def forward(signum, _frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, forward)
        codes = [child.wait() for child in children]
        if any(codes):
            sys.exit(max(codes))
