"""Send engine speed: `python -m bench.send [--scale N] [--send N]`.

Budgets on PostgreSQL (BENCH_DATABASE_URL, default .../clarion_bench_send) with a local SMTP
server (aiosmtpd in its own process, accepting and discarding, counting):
- resolving the recipients of a send into messages: 1M ≤ 30 s (at --scale 1000000);
- delivery with personalization and open/click tracking, DKIM off, 2 worker processes:
  ≥ 500 messages/s. Also measured: the same with DKIM on, and the ceiling, a plain smtplib
  loop sending pre-rendered messages over one connection to the same server.
"""

import argparse
import os
import subprocess
import sys
import time

DEFAULT = "postgres://postgres@127.0.0.1:5432/clarion_bench_send"
# Delivery loops per process: a loop mostly waits on PostgreSQL and the SMTP server.
THREADS = 4
SERVER = """
import sys, threading, time
from aiosmtpd.controller import Controller
count = 0
lock = threading.Lock()
class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
        return "250 OK"
controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    print(count, flush=True)
"""


class SMTPSink:
    def __init__(self):
        from tests.sending.smtp_server import free_port

        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, str(self.port)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def count(self) -> int:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self):
        self.process.kill()


def ensure_contacts(scale: int) -> None:
    from django.db import connection

    from clarion.crm.models import Contact

    have = Contact.objects.count()
    if have >= scale:
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_contact (email, first_name, last_name, phone, mobile_phone, "
            "job_title, city, country, time_zone, lifecycle_stage, lead_status, original_source, "
            "properties, "
            "created_at, updated_at, version) "
            "SELECT 'person' || n || '@mail' || (n %% 50) || '.example.com', 'First' || n, "
            "'Last', '', '', '', '', '', "
            "(ARRAY['Europe/Paris','Asia/Shanghai','America/New_York',''])[1 + n %% 4], "
            "'lead', '', '', '{}'::jsonb, now(), now(), 1 FROM generate_series(%s, %s) n",
            [have, scale - 1])
        cursor.execute("ANALYZE crm_contact")
    print(f"created {scale - have} contacts in {time.perf_counter() - started:.1f} s")


def sender(dkim: bool):
    from clarion.sending import services, signing
    from clarion.sending.models import SenderIdentity

    values = {"name": f"bench {'dkim' if dkim else 'plain'}", "from_name": "Bench",
              "from_email": "bench@bench.example.com", "postal_address": "1 Bench Road"}
    if dkim:
        values.update(dkim_domain="bench.example.com", dkim_selector="bench",
                      dkim_private_key=signing.generate_private_key())
    return services.save_sender(SenderIdentity(**values))


VARIANT = {
    "subject": "News for {{ contact.first_name|default('you') }}",
    "html": "<html><body>" + "<p>Hello {{ contact.first_name }}, here is the news.</p>" * 20
            + '<p><a href="https://example.com/a">A</a> <a href="https://example.com/b">B</a>'
            '</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a> '
            "{{ sender.postal_address }}</p></body></html>",
    "text": "Hello {{ contact.first_name }}\n" * 20 + "Unsubscribe: {{ unsubscribe_url }}\n",
    "links": ["https://example.com/a", "https://example.com/b"],
}


def resolve(name: str, contacts, *, dkim: bool):
    from clarion.sending import services

    send = services.create_send(name=name, sender=sender(dkim), variants=[VARIANT])
    started = time.perf_counter()
    send = services.resolve_recipients(send, contacts)
    return send, time.perf_counter() - started


def deliver(send, sink: SMTPSink, processes: int = 2, threads: int = THREADS) -> float:
    """Run `processes` send-worker processes (of `threads` delivery loops each) until the send
    is done; messages per second."""
    from clarion.sending.models import Message

    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?timeout=10",
           "CLARION_LOG_LEVEL": "WARNING"}
    before = sink.count()
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-m", "clarion.cli", "send-worker",
                                 f"--threads={threads}", "--until-idle", "--idle-sleep=0.1"],
                                env=env)
               for _ in range(processes)]
    # Sustained rate: from the first message the server received to the last one.
    first = last = None
    while any(worker.poll() is None for worker in workers):
        time.sleep(0.2)
        received = sink.count() - before
        now = time.perf_counter()
        if received and first is None:
            first = (now, received)
        if first and received > (last or (0, 0))[1]:
            last = (now, received)
    elapsed = time.perf_counter() - started
    sent = sink.count() - before
    left = Message.objects.filter(send=send).exclude(status__in=["sent", "skipped"]).count()
    sustained = ((last[1] - first[1]) / (last[0] - first[0])
                 if first and last and last[0] > first[0] else sent / elapsed)
    print(f"  {sent} messages in {elapsed:.1f} s including process start-up "
          f"({sent / elapsed:.0f}/s); sustained {sustained:.0f}/s; not sent: {left}")
    return sustained


def ceiling(sink: SMTPSink, count: int) -> float:
    """A plain smtplib loop over one connection, messages rendered beforehand."""
    import smtplib

    from clarion.sending import mime

    messages = [mime.to_bytes(mime.Rendered("Bench", "bench@bench.example.com",
                                            f"p{n}@x.example.com", f"News {n}",
                                            VARIANT["text"], VARIANT["html"],
                                            f"<{n}@bench>")) for n in range(count)]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as connection:
        for n, data in enumerate(messages):
            connection.sendmail("bench@bench.example.com", [f"p{n}@x.example.com"], data)
    return count / (time.perf_counter() - started)


def clean_up() -> None:
    from django.db import connection

    from clarion.sending.models import Send, SenderIdentity

    sends = list(Send.objects.filter(name__startswith="bench: ").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        # Set-based: the ORM's cascade would load a million messages to delete them.
        cursor.execute("DELETE FROM sending_message WHERE send_id = ANY(%s)", [sends])
    Send.objects.filter(pk__in=sends).delete()
    SenderIdentity.objects.filter(name__startswith="bench ").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sending_message")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000,
                        help="recipients resolved (1000000 for the budget)")
    parser.add_argument("--send", type=int, default=20_000,
                        help="messages delivered in each delivery run")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT)
    os.environ.setdefault("CLARION_TASKS", "db")
    from bench import setup_django

    setup_django()
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    from clarion.crm.models import Contact

    ensure_contacts(max(args.scale, args.send))
    clean_up()
    sink = SMTPSink()
    try:
        audience = Contact.objects.filter(pk__in=Contact.objects.order_by("pk")
                                          .values("pk")[:args.scale])
        send, seconds = resolve("bench: resolution", audience, dkim=False)
        print(f"resolved {send.recipient_count} recipients in {seconds:.2f} s "
              f"({send.recipient_count / seconds:,.0f}/s); left out: {send.excluded}")
        budget_resolve = 30 * args.scale / 1_000_000
        from clarion.sending import services

        services.cancel(send)
        first = Contact.objects.filter(pk__in=Contact.objects.order_by("pk")
                                       .values("pk")[:args.send])
        plain, _s = resolve("bench: plain", first, dkim=False)
        print(f"delivery, personalization and tracking on, DKIM off, 2 processes × {THREADS}:")
        rate = deliver(plain, sink)
        signed, _s = resolve("bench: dkim", first.filter(pk__in=first.values("pk")[
            :args.send // 4]), dkim=True)
        print(f"delivery with DKIM on (2048-bit RSA), 2 processes × {THREADS}:")
        dkim_rate = deliver(signed, sink)
        top = ceiling(sink, min(args.send, 10_000))
    finally:
        sink.stop()
        clean_up()
    print(f"resolution: {seconds:.2f} s for {args.scale} recipients "
          f"(budget {budget_resolve:.1f} s at this scale, 30 s per million) "
          f"{'ok' if seconds <= budget_resolve else 'FAIL'}")
    print(f"delivery: {rate:.0f} messages/s (DKIM on: {dkim_rate:.0f}/s); ceiling, a plain "
          f"smtplib loop of pre-rendered messages on one connection: {top:.0f}/s; "
          f"ratio {rate / top:.2f}")
    ok = rate >= 500 and seconds <= budget_resolve
    print(f"RESULT send messages_per_s={rate:.1f} budget=500 {'ok' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
