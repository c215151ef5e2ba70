"""Time-based one-time passwords (RFC 6238) and recovery codes: generating and matching them.

Nothing here writes; services record which step or recovery code was used.
"""

import hmac
import secrets
import time

import pyotp
import segno

from clarion.accounts.models import hash_secret

ISSUER = "Clarion"
# Accept the previous and next 30-second step to allow for clock drift.
DRIFT_STEPS = 1
# A code up to ten minutes old is reported as expired rather than wrong.
EXPIRED_STEPS = 20
RECOVERY_CODE_COUNT = 10
INTERVAL = 30  # seconds, what every authenticator app uses


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(*, uri: str, title: str, description: str = "") -> str:
    """An inline SVG QR code, announced to screen readers as an image named `title`."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, light="#fff", title=title,
                                                desc=description or None)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // INTERVAL)


def _code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, interval=INTERVAL).generate_otp(step)


def matching_step(*, secret: str, code: str, now: float | None = None) -> int | None:
    """The time step `code` belongs to, if it is current (within clock drift)."""
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(_code_at(secret, candidate), code):
            return candidate
    return None


def is_expired_code(*, secret: str, code: str, now: float | None = None) -> bool:
    """Whether `code` was valid a few minutes ago but no longer is."""
    step = current_step(now) - DRIFT_STEPS
    return any(hmac.compare_digest(_code_at(secret, candidate), code)
               for candidate in range(step - EXPIRED_STEPS, step))


def new_recovery_codes() -> list[str]:
    """Codes such as `3f9a1-c07be`, easy to read aloud and type."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize_recovery_code(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "")


def hash_recovery_code(code: str) -> str:
    return hash_secret(normalize_recovery_code(code))
