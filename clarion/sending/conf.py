"""The send engine's settings, each with a default that works on a fresh install.

CLARION_SEND_DOMAIN_LIMITS   {"gmail.com": 50, …}: messages per second to one recipient
                             domain, across all workers ("*" sets a limit for every other
                             domain; none by default)
CLARION_SEND_BATCH           messages a worker claims at a time (200)
CLARION_SEND_LEASE_SECONDS   how long a claim lasts before another worker may take over (300)
CLARION_SEND_MAX_ATTEMPTS    deliveries tried before a message fails "retries_exhausted" (8)
CLARION_SEND_RETRY_BASE      seconds before the first retry; doubles each time, with jitter (60)
CLARION_SEND_RETRY_MAX       the longest wait between two tries (6 hours)
CLARION_BOUNCE_ADDRESS       the envelope sender (Return-Path) bounces go to; default: the
                             sender identity's address
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SendSettings:
    domain_limits: dict[str, float]
    batch: int
    lease_seconds: int
    max_attempts: int
    retry_base: float
    retry_max: float
    bounce_address: str


def _value(name: str, default):
    """The Django setting (settings.py reads each from the environment), else `default`."""
    return getattr(settings, name, default)


def current() -> SendSettings:
    return SendSettings(
        domain_limits={key.lower(): float(value) for key, value in
                       _value("CLARION_SEND_DOMAIN_LIMITS", {}).items()},
        batch=int(_value("CLARION_SEND_BATCH", 200)),
        lease_seconds=int(_value("CLARION_SEND_LEASE_SECONDS", 300)),
        max_attempts=int(_value("CLARION_SEND_MAX_ATTEMPTS", 8)),
        retry_base=float(_value("CLARION_SEND_RETRY_BASE", 60)),
        retry_max=float(_value("CLARION_SEND_RETRY_MAX", 6 * 3600)),
        bounce_address=_value("CLARION_BOUNCE_ADDRESS", ""),
    )
