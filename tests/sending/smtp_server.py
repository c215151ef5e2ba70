"""A real SMTP server (aiosmtpd) that counts deliveries per Message-ID and misbehaves on
purpose: temporary and permanent refusals, connections dropped around DATA, stalls."""

import asyncio
import random
import re
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass
class Faults:
    """Probabilities of each misbehaviour, per RCPT or per DATA."""

    rcpt_421: float = 0.0
    rcpt_451: float = 0.0
    rcpt_550: float = 0.0
    data_451: float = 0.0
    data_550: float = 0.0
    drop_mid_data: float = 0.0       # closed while the client writes the message
    accept_then_drop: float = 0.0    # stored, then the connection closes before "250"
    stall: float = 0.0               # no answer to DATA for `stall_seconds`
    stall_seconds: float = 2.0
    seed: int = 7
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def pick(self, *names: str) -> str | None:
        roll = self.rng.random()
        for name in names:
            roll -= getattr(self, name)
            if roll < 0:
                return name
        return None


class CountingHandler:
    def __init__(self, faults: Faults | None = None):
        self.faults = faults or Faults()
        self.lock = threading.Lock()
        self.deliveries: Counter[str] = Counter()
        self.messages: dict[str, bytes] = {}
        self.envelopes: dict[str, tuple[str, list[str]]] = {}
        self.injected: Counter[str] = Counter()

    def _inject(self, *names: str) -> str | None:
        with self.lock:
            fault = self.faults.pick(*names)
            if fault:
                self.injected[fault] += 1
        return fault

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = self._inject("rcpt_421", "rcpt_451", "rcpt_550", "drop_mid_data")
        if fault == "rcpt_421":
            return "421 4.3.2 Service shutting down"
        if fault == "rcpt_451":
            return "451 4.3.0 Try again later"
        if fault == "rcpt_550":
            return "550 5.1.1 No such user here"
        if fault == "drop_mid_data":
            # Closed while the message is on its way; should the whole message win the race,
            # it is dropped unstored all the same.
            session.drop_data = True
            asyncio.get_running_loop().call_later(0.002, server.transport.close)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if getattr(session, "drop_data", False):
            server.transport.close()
            return "451 4.3.0 (nobody hears this)"
        fault = self._inject("data_451", "data_550", "accept_then_drop", "stall")
        if fault == "data_451":
            return "451 4.7.1 Greylisted, try again"
        if fault == "data_550":
            return "550 5.7.1 Message refused"
        if fault == "stall":
            await asyncio.sleep(self.faults.stall_seconds)
            return "451 4.4.2 Too slow"
        self._store(envelope)
        if fault == "accept_then_drop":
            server.transport.close()
            return "250 OK (nobody hears this)"
        return "250 2.0.0 OK queued"

    def _store(self, envelope) -> None:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        found = MESSAGE_ID.search(content)
        key = found.group(1).decode() if found else f"no-id-{len(self.messages)}"
        with self.lock:
            self.deliveries[key] += 1
            self.messages[key] = content
            self.envelopes[key] = (envelope.mail_from, list(envelope.rcpt_tos))

    # --- what the tests read ------------------------------------------------------------

    @property
    def accepted_before_drop(self) -> int:
        return self.injected["accept_then_drop"]

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {key: count for key, count in self.deliveries.items() if count > 1}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self, faults: Faults | None = None):
        self.handler = CountingHandler(faults)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     data_size_limit=10_000_000)

    def __enter__(self) -> "SMTPServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def url(self, timeout: float = 2) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout={timeout:g}"

    def mailer(self, timeout: float = 2) -> dict:
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                            "OPTIONS": {"host": "127.0.0.1", "port": self.port,
                                        "timeout": timeout}}}
