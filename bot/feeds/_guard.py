"""Where a feed may be fetched from (http(s) only, never a private address: SSRF), and how
long and how much a fetch may take.

Addresses are checked after DNS resolution, by the resolver the HTTP connector itself uses
(so the address checked is the address connected to), and an address written in the URL is
checked before any request. The poller follows redirects itself, so every hop is checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

# host, port -> the addresses it resolves to (text). Tests inject one that never asks DNS.
Resolve = Callable[[str, int], Awaitable[list[str]]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_CHARS = 2000


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How long and how much a fetch may take."""

    timeout: float = 20.0
    max_redirects: int = 5
    max_bytes: int = 5 * 1024 * 1024


class FeedRefused(OSError):
    """A feed URL or address banwatch will not fetch; the message says why.

    An ``OSError`` so that aiohttp passes it up from the resolver as the cause of its
    connection error (it wraps only OSErrors), where the poller finds it.
    """


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_networks(text: str) -> tuple[Network, ...]:
    """``127.0.0.0/8, ::1`` as networks; a bad entry raises ValueError naming it."""
    networks = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if part.lower() == "loopback":
            networks += [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an address or network (e.g. 127.0.0.0/8)") from None
    return tuple(networks)


def _kind(address: Address) -> str | None:
    """Why an address is not a public one (None: it is)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata lives there)"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


class AddressPolicy:
    """Which addresses may be fetched: public ones, and those in ``allowed`` networks (e.g.
    loopback for tests, or a self-hosted feed on the local network)."""

    def __init__(self, allowed: Sequence[Network] = ()) -> None:
        self.allowed = tuple(allowed)

    def refusal(self, text: str) -> str | None:
        """Why ``text`` (an IP address) may not be fetched, or None."""
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return f"{text!r} is not an IP address"
        kind = _kind(address)
        if kind is None:
            return None
        if any(address in network for network in self.allowed):
            return None
        return f"{address} is a {kind} address"

    def check_url(self, url: str) -> str:
        """The URL if banwatch may fetch it as far as can be told without DNS; else raise
        :class:`FeedRefused` (another scheme, no host, credentials, an address refused)."""
        url = url.strip()
        if len(url) > MAX_URL_CHARS:
            raise FeedRefused(f"the address is over {MAX_URL_CHARS} characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FeedRefused(f"not a usable web address ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            shown = f"{scheme}:" if scheme else "no scheme"
            raise FeedRefused(f"only http:// and https:// feeds are fetched, not {shown}")
        if not parts.hostname:
            raise FeedRefused("the address has no host")
        if parts.username or parts.password:
            raise FeedRefused("the address carries a user name or password")
        if any(ch.isspace() for ch in url):
            raise FeedRefused("the address contains spaces")
        del port
        host = parts.hostname
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return url  # a name: checked when it is resolved
        reason = self.refusal(host)
        if reason:
            raise FeedRefused(f"refused: {reason}")
        return url
