"""Where a feed may be fetched from: http(s) only, and never a private address (SSRF).

Addresses are checked after DNS resolution, by the resolver the HTTP connector itself uses
(so the address checked is the address connected to), and an address written in the URL is
checked before any request. The poller follows redirects itself, so every hop is checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

# host, port -> the addresses it resolves to (text). Tests inject one that never asks DNS.
Resolve = Callable[[str, int], Awaitable[list[str]]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_CHARS = 2000


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


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver for feeds: resolves with ``resolve`` and refuses the host when
    any address it has is not allowed (one bad address is enough: a connection may go to
    any of them)."""

    def __init__(self, policy: AddressPolicy, resolve: Resolve = system_resolve) -> None:
        self.policy = policy
        self._resolve = resolve

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            addresses = await self._resolve(host, port)
        except FeedRefused:
            raise
        except OSError as exc:
            raise OSError(exc.errno, f"can't resolve {host}: {exc.strerror or exc}") from exc
        if not addresses:
            raise OSError(f"{host} has no address")
        for address in addresses:
            reason = self.policy.refusal(address)
            if reason:
                raise FeedRefused(f"refused: {host} resolves to {reason}")
        results: list[ResolveResult] = []
        for address in addresses:
            parsed = ipaddress.ip_address(address.split("%", 1)[0])
            record: Any = {
                "hostname": host,
                "host": str(parsed),
                "port": port,
                "family": socket.AF_INET6 if parsed.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            results.append(record)
        return results

    async def close(self) -> None:
        return None
