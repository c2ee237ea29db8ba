"""Server-side request forgery guard for webhook URLs (OWASP API7).

A URL is checked at registration and again at send time, and the send connects to the very
address that passed the check (see ``webhooks_dispatch``), so DNS rebinding between the check
and the connection cannot redirect a delivery. Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

__all__ = ["UnsafeUrl", "check_url", "is_forbidden", "resolve_safe"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[Any]]

# Cloud metadata services: link-local or private already, named so a reader sees they are
# covered even if the address classes change.
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_MAX_URL = 2048


class UnsafeUrl(ValueError):
    """A webhook URL that must not be called."""


def is_forbidden(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return (ip in _METADATA or ip.is_loopback or ip.is_private or ip.is_link_local
            or ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def check_url(url: str, allow_private: bool) -> tuple[str, str, int]:
    """Syntax rules; returns ``(scheme, host, port)``. Plain http only in development."""
    if len(url) > _MAX_URL:
        raise UnsafeUrl("url too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("malformed url") from exc
    allowed = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed:
        raise UnsafeUrl("url must use https")
    if not parts.hostname:
        raise UnsafeUrl("url has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("url must not carry credentials")
    if parts.fragment:
        raise UnsafeUrl("url must not carry a fragment")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_safe(url: str, allow_private: bool,
                 resolver: Resolver = socket.getaddrinfo) -> list[IPAddress]:
    """Every address the host resolves to; refused if any one is forbidden (an attacker can
    mix a public and a private record) or if it does not resolve."""
    _, host, port = check_url(url, allow_private)
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl("host does not resolve") from exc
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise UnsafeUrl("host does not resolve")
    if not allow_private and any(is_forbidden(ip) for ip in addresses):
        raise UnsafeUrl("url resolves to a private, loopback, link-local, multicast, "
                        "reserved or cloud metadata IP")
    return addresses
