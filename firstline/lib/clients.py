"""Who is asking, without keeping who they are.

Rate limits and login throttling need to tell visitors apart; Firstline must
not store their addresses (docs/privacy.md). ``client_address`` finds the
visitor's address behind our own proxies; ``client_fingerprint`` turns it into
a keyed hash that changes every day, so a stored value names nobody after its
window ends. An IPv6 visitor controls a whole /64 (64 bits they can cycle
through freely), so IPv6 addresses count by their /64.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or behind TRUSTED_PROXY_HOPS
    proxies the entry they appended to X-Forwarded-For (entries further left
    are whatever the visitor sent, and cannot be trusted)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", "")) or "unknown"


def client_network(address: str) -> str:
    """The unit a limit counts: the address itself for IPv4, its /64 for IPv6."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def client_fingerprint(request: HttpRequest, *, purpose: str = "client") -> str:
    """A daily-rotating keyed hash of the visitor's network (see module doc)."""
    day = time.strftime("%Y-%m-%d", time.gmtime())
    key = hashlib.sha256(f"firstline-{purpose}|{day}|{settings.SECRET_KEY}".encode()).digest()
    network = client_network(client_address(request))
    return hmac.new(key, network.encode(), hashlib.sha256).hexdigest()[:32]


def axes_client_key(request: HttpRequest) -> str:
    """django-axes' "IP address": the day's fingerprint written as an address in
    the private fd00::/8 range, so axes' tables (an ``inet`` column on
    PostgreSQL) hold a valid value that is nobody's address."""
    digest = client_fingerprint(request, purpose="login")[:30]
    return str(ipaddress.IPv6Address(int("fd" + digest, 16)))
