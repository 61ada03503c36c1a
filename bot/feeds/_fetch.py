"""Fetching a feed politely and defensively over aiohttp (the HTTP client discord.py uses).
Imported only when a feed is fetched: the command line's other commands don't load aiohttp.

Conditional requests (ETag, Last-Modified), a time limit for the whole fetch, redirects
followed here (at most five, each hop checked against the address policy), a body limit
enforced while reading and again while decompressing, and a content-type check.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ipaddress
import socket
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.feeds._guard import AddressPolicy, FeedRefused, FetchLimits, Resolve, system_resolve

USER_AGENT = "banwatch-feeds/0.1 (facial-recognition policy news; polls every 15 min or less)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, application/feed+json;q=0.8, */*;q=0.1"
)
# Content types a feed may come as. Generic ones (HTML, plain text, binary) are read and then
# sniffed by the parser: some servers label real feeds that way. Anything else is refused
# before its body is read.
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
        "application/feed+json",
        "application/json",
        "text/html",
        "text/plain",
        "application/octet-stream",
        "binary/octet-stream",
        "",
    }
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Retry-After is honoured up to a day; a server asking for more is asked again then.
MAX_RETRY_AFTER = 86_400.0
READ_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful answer: 200 with a body, or 304 (nothing changed)."""

    status: int
    url: str
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    # Where the feed moved for good: every redirect on the way was permanent (301, 308).
    moved_to: str | None = None


class FetchFailed(Exception):
    """A fetch that gave no feed; ``reason`` is what the feed's health shows."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        gone: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.gone = gone


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (a number or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


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


class Fetcher:
    """One HTTP session for every feed, behind the address policy; close it when done."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolve: Resolve = system_resolve,
        limits: FetchLimits | None = None,
        max_connections: int = 32,
    ) -> None:
        self.policy = policy
        self.limits = limits or FetchLimits()
        self._resolver = GuardedResolver(policy, resolve)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=self._resolver, limit=self._max_connections, ttl_dns_cache=60
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Decompressed here, under the body limit (a gzip bomb never inflates whole).
                auto_decompress=False,
                # No proxies or .netrc from the environment: every hop is ours to check.
                trust_env=False,
                timeout=aiohttp.ClientTimeout(total=self.limits.timeout),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """Fetch ``url`` (conditionally when validators are given); raise FetchFailed."""
        try:
            async with asyncio.timeout(self.limits.timeout):
                return await self._fetch(url, etag, last_modified)
        except FetchFailed:
            raise
        except FeedRefused as exc:
            raise FetchFailed(str(exc)) from exc
        except TimeoutError as exc:
            raise FetchFailed(f"no answer within {self.limits.timeout:g} s") from exc
        except aiohttp.ClientConnectorError as exc:
            cause = exc.os_error
            if isinstance(cause, FeedRefused):
                raise FetchFailed(str(cause)) from exc
            host = exc.host
            detail = cause.strerror or str(cause) if cause else str(exc)
            raise FetchFailed(f"can't connect to {host}: {detail}") from exc
        except aiohttp.InvalidURL as exc:
            raise FetchFailed(f"not a usable web address: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise FetchFailed(f"the connection failed: {exc or type(exc).__name__}") from exc

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        session = self._open()
        headers = {"Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = [url]
        current = url
        permanent = True
        for _ in range(self.limits.max_redirects + 1):
            self.policy.check_url(current)
            async with session.get(current, headers=headers, allow_redirects=False) as response:
                status = response.status
                if status in REDIRECTS and response.headers.get("Location"):
                    target = urljoin(current, response.headers["Location"].strip())
                    if target in visited:
                        loop = " -> ".join([*visited[visited.index(target) :], target])
                        raise FetchFailed(f"redirect loop: {loop}"[:300], status=status)
                    visited.append(target)
                    current = target
                    permanent = permanent and status in (301, 308)
                    continue
                moved_to = current if permanent and current != url else None
                if status == 304:
                    return Fetched(
                        304,
                        current,
                        etag=response.headers.get("ETag") or etag,
                        last_modified=response.headers.get("Last-Modified") or last_modified,
                        moved_to=moved_to,
                    )
                if status >= 400 or status < 200 or status in REDIRECTS:
                    raise self._http_failure(response)
                content_type = response.content_type.lower() if response.content_type else ""
                if "Content-Type" not in response.headers:
                    content_type = ""
                if content_type not in FEED_TYPES:
                    raise FetchFailed(f"the server sent {content_type}, not a feed", status=status)
                body = await self._read(response)
                return Fetched(
                    status,
                    current,
                    body,
                    content_type,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    moved_to=moved_to,
                )
        raise FetchFailed(
            f"more than {self.limits.max_redirects} redirects (last to {urlsplit(current).netloc})"
        )

    @staticmethod
    def _http_failure(response: aiohttp.ClientResponse) -> FetchFailed:
        status = response.status
        text = f"the server answered HTTP {status}"
        if response.reason:
            text += f" {response.reason}"
        retry_after = None
        if status in (429, 503):
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None:
                text += f" (Retry-After {retry_after:g} s)"
        return FetchFailed(text, status=status, retry_after=retry_after, gone=status in (404, 410))

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The body, decompressed, refused as soon as it passes the limit either way."""
        limit = self.limits.max_bytes
        megabytes = f"{limit / (1024 * 1024):g} MB"
        declared = response.content_length
        if declared is not None and declared > limit:
            raise FetchFailed(f"the feed is {declared:,} bytes, over the {megabytes} limit")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflater = zlib.decompressobj()
        elif encoding in ("identity", ""):
            inflater = None
        else:
            raise FetchFailed(f"the feed is compressed as {encoding!r}, which is not read")
        parts: list[bytes] = []
        received = size = 0
        try:
            async for chunk in response.content.iter_chunked(READ_CHUNK):
                received += len(chunk)
                if received > limit:
                    raise FetchFailed(f"the feed is over the {megabytes} limit (stopped reading)")
                if inflater is None:
                    parts.append(chunk)
                    size = received
                    continue
                data = chunk
                while data:
                    out = inflater.decompress(data, limit - size + 1)
                    size += len(out)
                    if size > limit:
                        raise FetchFailed(
                            f"the feed is over the {megabytes} limit once decompressed"
                            " (stopped decompressing)"
                        )
                    parts.append(out)
                    data = inflater.unconsumed_tail
            if inflater is not None:
                tail = inflater.flush()
                size += len(tail)
                if size > limit:
                    raise FetchFailed(f"the feed is over the {megabytes} limit once decompressed")
                parts.append(tail)
        except zlib.error as exc:
            raise FetchFailed(f"the feed's {encoding} data is corrupt ({exc})") from exc
        return b"".join(parts)
