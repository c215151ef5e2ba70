"""Telling a person's open or click from a machine's.

Opens. Apple Mail Privacy Protection fetches every image of every message through Apple's
proxy when the message arrives, whether or not anyone reads it; its requests carry the bare
user agent "Mozilla/5.0" and come from Apple's network (17.0.0.0/8). Security gateways and
link-preview services fetch images too (their user agents name them). And anything fetching
the pixel within a few seconds of the message leaving us is a prefetch at delivery, not a
reader. Gmail's and Yahoo's image proxies, on the other hand, fetch when the message is
displayed, so their opens are a person's and are counted as human (their user agents are
recognized and treated the same as any mail client's).

Clicks. Link scanners (Microsoft Safe Links, Mimecast, Proofpoint, Barracuda, …) follow the
links of an incoming message before the recipient sees it: they are recognized by user agent,
by HEAD requests (a browser following a link sends GET), by clicking within a couple of
seconds of delivery, and by clicking a second, different link of the same message within a
second of the first (no person does that).
"""

import ipaddress
import re
from dataclasses import dataclass

from django.conf import settings

APPLE_NETWORK = ipaddress.ip_network("17.0.0.0/8")
BARE_USER_AGENT = "mozilla/5.0"

# Substrings (lower case) of user agents that are never a person reading or clicking.
MACHINE_AGENTS = re.compile("|".join([
    r"bot\b", r"crawler", r"spider", r"preview", r"scanner", r"prefetch",
    r"barracuda", r"mimecast", r"proofpoint", r"zscaler", r"symantec", r"messagelabs",
    r"trend ?micro", r"sophos", r"fireeye", r"forcepoint", r"ironport", r"cisco",
    r"safelinks", r"safe links", r"microsoft office existence discovery",
    r"ms-office", r"appengine-google", r"python-requests", r"python-urllib", r"aiohttp",
    r"\bcurl/", r"\bwget/", r"go-http-client", r"java/", r"libwww", r"okhttp",
    r"headlesschrome", r"phantomjs", r"facebookexternalhit", r"slackbot", r"linkedinbot",
    r"twitterbot", r"whatsapp", r"skypeuripreview", r"discordbot", r"virustotal",
    r"urlscan", r"checkpoint", r"avanan", r"abnormal security", r"ghostery",
]), re.IGNORECASE)

# A person's open cannot come sooner than this after the message left; nor a click.
# A second, different link of one message clicked within this many seconds: a scanner.
BURST_SECONDS = 1.0


@dataclass(frozen=True)
class Request:
    """What is known of one pixel fetch or click: enough to judge it, nothing more."""

    user_agent: str = ""
    ip: str | None = None
    method: str = "GET"
    seconds_since_sent: float | None = None  # None: the message has not been marked sent
    # False for an ESP's report that names no user agent: then only timing can tell.
    agent_known: bool = True


def open_prefetch_seconds() -> float:
    return settings.CLARION_MACHINE_OPEN_SECONDS


def click_scan_seconds() -> float:
    return settings.CLARION_SCANNER_CLICK_SECONDS


def is_machine_agent(user_agent: str) -> bool:
    agent = (user_agent or "").strip()
    return not agent or bool(MACHINE_AGENTS.search(agent))


def is_apple_privacy_proxy(user_agent: str, ip: str | None) -> bool:
    if (user_agent or "").strip().lower() == BARE_USER_AGENT:
        return True
    try:
        return ip is not None and ipaddress.ip_address(ip) in APPLE_NETWORK
    except ValueError:
        return False


def _too_soon(seconds_since_sent: float | None, limit: float) -> bool:
    # Not yet marked sent: the SMTP answer is still on its way, so it is seconds old at most.
    return seconds_since_sent is None or seconds_since_sent < limit


def is_machine_open(request: Request) -> bool:
    """A privacy proxy or a prefetcher rather than a person opening the message."""
    return (request.method == "HEAD"
            or is_apple_privacy_proxy(request.user_agent, request.ip)
            or (request.agent_known and is_machine_agent(request.user_agent))
            or _too_soon(request.seconds_since_sent, open_prefetch_seconds()))


def is_scanner_click(request: Request, *, burst: bool = False) -> bool:
    """A security scanner following the link rather than a person. `burst`: another link of
    the same message was clicked within the last second."""
    return (burst
            or request.method == "HEAD"
            or (request.agent_known and is_machine_agent(request.user_agent))
            or _too_soon(request.seconds_since_sent, click_scan_seconds()))
