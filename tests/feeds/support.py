"""A loopback HTTP server that serves feeds (127.0.0.1 only), and feed documents to serve."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FR_POLICY = {
    "title": "Springfield City Council votes to ban police use of facial recognition",
    "summary": (
        "SPRINGFIELD, Mass. (AP) — The Springfield City Council voted 10-3 on Monday to ban"
        " police use of facial recognition technology. The ordinance takes effect in 30 days."
    ),
}
NOT_FR = {
    "title": "Springfield opens a new public library branch downtown",
    "summary": "The branch has 40,000 books, a maker space and free meeting rooms.",
}


def rfc822(moment: dt.datetime) -> str:
    """An RSS date."""
    return email.utils.format_datetime(moment)


def item(
    title: str,
    summary: str = "",
    *,
    link: str | None = "auto",
    guid: str | None = None,
    published: dt.datetime | str | None = "now",
    source: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """One RSS item (``link="auto"``: a link made from the title)."""
    if link == "auto":
        link = "https://news.example/story/" + hashlib.sha1(title.encode()).hexdigest()[:10]
    if published == "now":
        published = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "title": title,
        "summary": summary,
        "link": link,
        "guid": guid,
        "published": published,
        "source": source,
    }


def rss(items: list[dict[str, Any]], *, title: str = "Example News") -> bytes:
    """An RSS 2.0 document."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://news.example/</link>",
        "<description>News</description>",
    ]
    for entry in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(entry['title'])}</title>")
        if entry.get("summary"):
            parts.append(f"<description>{escape(entry['summary'])}</description>")
        if entry.get("link"):
            parts.append(f"<link>{escape(entry['link'])}</link>")
        if entry.get("guid"):
            parts.append(f'<guid isPermaLink="false">{escape(entry["guid"])}</guid>')
        if isinstance(entry.get("published"), dt.datetime):
            parts.append(f"<pubDate>{rfc822(entry['published'])}</pubDate>")
        if entry.get("source"):
            name, url = entry["source"]
            parts.append(f'<source url="{escape(url)}">{escape(name)}</source>')
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def atom(items: list[dict[str, Any]], *, title: str = "Example Atom") -> bytes:
    """An Atom 1.0 document."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:example:feed</id><updated>{now}</updated>",
    ]
    for entry in items:
        when = entry["published"].isoformat() if entry.get("published") else now
        parts.append(
            f"<entry><title>{escape(entry['title'])}</title>"
            f'<link href="{escape(entry["link"])}"/><id>{escape(entry["link"])}</id>'
            f"<updated>{when}</updated><summary>{escape(entry.get('summary', ''))}</summary>"
            "</entry>"
        )
    parts.append("</feed>")
    return "".join(parts).encode()


@dataclass
class Served:
    """A document served at a path, with validators: an unchanged one answers 304."""

    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    version: int = 1
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return f'"v{self.version}-{hashlib.sha1(self.body).hexdigest()[:8]}"'


class FeedServer:
    """An aiohttp server on a loopback address that serves what a test puts on it and
    records every request."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Handler] = {}
        self.documents: dict[str, Served] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.hits = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        # The runner's public list of bound addresses: (host, port) for a TCP site.
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, **options: Any) -> Served:
        """Serve ``body`` at ``path`` (replacing what was there: a new version)."""
        old = self.documents.get(path)
        served = Served(body, **options)
        if old is not None:
            served.version = old.version + 1
        self.documents[path] = served
        return served

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def paths_requested(self, path: str) -> list[dict[str, str]]:
        return [headers for requested, headers in self.requests if requested == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        self.hits.set()
        if request.path in self.routes:
            return await self.routes[request.path](request)
        served = self.documents.get(request.path)
        if served is None:
            return web.Response(status=404, text="not found")
        if request.headers.get("If-None-Match") == served.etag:
            return web.Response(status=304, headers={"ETag": served.etag})
        headers = {"ETag": served.etag, "Content-Type": served.content_type, **served.headers}
        return web.Response(body=served.body, headers=headers)
