"""Facts about the HTTP request that depend on how Clarion is deployed, such as which address
the request really came from when it passes through reverse proxies."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network
               for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person making the request.

    `REMOTE_ADDR` unless it is one of `CLARION_TRUSTED_PROXIES`; then the right-most address of
    `X-Forwarded-For` that isn't a trusted proxy either. Addresses to the left of that one were
    written by the client and can't be believed.
    """
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = _networks(tuple(settings.CLARION_TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _parse(entry)
        if address is None:
            break  # garbage from here on can't be attributed to anyone
        if not _is_trusted(address, networks):
            return str(address)
    return str(remote)
