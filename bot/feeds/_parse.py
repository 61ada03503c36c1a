"""Reading a fetched feed with feedparser (RSS 0.9x/1.0/2.0, Atom) into news items.

Refused before parsing: an HTML page, and a document that declares XML entities (the
"billion laughs" expansion and external entities need a declaration; real feeds have none).
Each entry becomes a :class:`FeedItem`; :func:`to_parsed` turns one into the article the
corpus stores, dated when first seen if it has no date or a date in the future.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.corpus import MAX_EXCERPT_CHARS, MAX_TITLE_CHARS, ParsedArticle

if TYPE_CHECKING:
    import feedparser

# Entries read from one document: a news feed shows its latest few dozen.
MAX_ENTRIES = 200
MAX_BODY_CHARS = 8_000
MAX_KEY_CHARS = 500
# A date further ahead than this is a mistake (or a trick to stay on top of lists).
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# Aggregators whose links can't be resolved to the outlet's own URL offline: the item is
# the outlet's (its <source>), matched to what is known by outlet and headline.
AGGREGATOR_HOSTS = frozenset({"news.google.com"})

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf|channel)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.I | re.S
)


class FeedError(Exception):
    """A fetched document that is not a usable feed; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class FeedItem:
    """One entry of a feed, as plain text."""

    key: str
    title: str
    link: str | None
    summary: str = ""
    body: str = ""
    published: dt.datetime | None = None
    source_name: str | None = None
    source_domain: str | None = None


@dataclass(slots=True)
class ParsedFeed:
    """What a feed document holds."""

    title: str | None
    items: list[FeedItem] = field(default_factory=list)
    # Entries dropped because they had neither title nor text.
    empty: int = 0
    # Set when the XML was malformed but entries could still be read.
    warning: str | None = None


def text_of(value: object, limit: int) -> str:
    """Markup-free, entity-decoded, single-spaced text, at most ``limit`` characters."""
    if not isinstance(value, str) or not value:
        return ""
    text = html.unescape(_TAG.sub(" ", value[: limit * 4]))
    return _SPACE.sub(" ", text).strip()[:limit]


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def _web_link(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")) or len(value) > 2000:
        return None
    if any(ch.isspace() for ch in value):
        return None
    return value


def _published(entry: feedparser.FeedParserDict) -> dt.datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(name)
        if parsed:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _sniff(data: bytes) -> bytes:
    """The document's first bytes as ASCII-compatible text (UTF-16 decoded)."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        try:
            return data.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
        except (UnicodeError, LookupError):
            return head
    return data


def parse_feed(data: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Read a feed document; raise FeedError when it is not one."""
    text = _sniff(data)
    head = text[:4096].lstrip(b"\xef\xbb\xbf")
    if not head.strip():
        raise FeedError("the server sent an empty document")
    if _HTML_ROOT.match(head) or (content_type == "text/html" and not _FEED_ROOT.search(head)):
        raise FeedError("the server sent an HTML page, not a feed")
    if _ENTITY_DECLARATION.search(text):
        raise FeedError("the feed declares XML entities (refused: entity expansion)")
    import feedparser  # only when a feed is read: the command line's start-up stays light

    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={
            "content-type": content_type or "application/xml",
            "content-location": url,
        },
        sanitize_html=True,
    )
    warning = None
    if parsed.get("bozo"):
        problem = _problem(parsed.get("bozo_exception"))
        if not parsed.entries:
            raise FeedError(f"malformed XML: {problem}")
        warning = f"malformed XML, read leniently: {problem}"
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an RSS or Atom feed")
    feed_title = text_of(parsed.feed.get("title"), 200) or None
    result = ParsedFeed(title=feed_title, warning=warning)
    for entry in parsed.entries[:MAX_ENTRIES]:
        item = _item(entry)
        if item is None:
            result.empty += 1
        else:
            result.items.append(item)
    return result


def _problem(exc: object) -> str:
    """A parser's complaint, with where it is: "line 1, column 78: not well-formed"."""
    if exc is None:
        return "unreadable"
    try:
        where = f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: "  # type: ignore[attr-defined]
        return (where + str(exc.getMessage()))[:200]  # type: ignore[attr-defined]
    except AttributeError:
        return str(exc)[:200]


def _item(entry: feedparser.FeedParserDict) -> FeedItem | None:
    summary = text_of(entry.get("summary"), MAX_EXCERPT_CHARS)
    body = ""
    for content in entry.get("content") or []:
        body = text_of(content.get("value"), MAX_BODY_CHARS)
        if body:
            break
    if body == summary:
        body = ""
    title = text_of(entry.get("title"), MAX_TITLE_CHARS)
    if not title:
        title = text_of(summary or body, 120)
    if not title:
        return None
    link = _web_link(entry.get("link"))
    guid = entry.get("id")
    if link is None and entry.get("guidislink", False):
        link = _web_link(guid)
    source = entry.get("source") or {}
    source_name = text_of(source.get("title"), 200) or None
    source_domain = _domain(_web_link(source.get("href")) or _web_link(source.get("url")))
    if source_name and title.endswith(f" - {source_name}") and len(title) > len(source_name) + 3:
        # Aggregators add " - Outlet" to the outlet's headline.
        title = title[: -len(source_name) - 3].rstrip()
    key = str(guid).strip() if isinstance(guid, str) and guid.strip() else link
    if not key:
        key = "title:" + hashlib.sha1(title.encode()).hexdigest()
    return FeedItem(
        key=key[:MAX_KEY_CHARS],
        title=title,
        link=link,
        summary=summary,
        body=body,
        published=_published(entry),
        source_name=source_name,
        source_domain=source_domain,
    )


@dataclass(frozen=True, slots=True)
class ItemArticle:
    """A feed item as the article to store, and what had to be assumed about it."""

    parsed: ParsedArticle
    notes: tuple[str, ...] = ()


def to_parsed(
    item: FeedItem, *, feed_title: str | None, feed_url: str, seen_at: dt.datetime
) -> ItemArticle:
    """The article an item becomes: its title, summary as excerpt, link, date and outlet.

    An item from an aggregator (or naming its <source>) is the outlet's; otherwise the
    outlet is the link's site, named as the feed is when the feed is that site's own.
    """
    notes = []
    published = item.published
    if published is None:
        notes.append("no date: dated when first seen")
        published = seen_at
    elif published > seen_at + FUTURE_TOLERANCE:
        notes.append(f"date in the future ({published:%Y-%m-%d}): dated when first seen")
        published = seen_at
    link_domain = _domain(item.link)
    if item.source_name and (item.source_domain or link_domain in AGGREGATOR_HOSTS):
        provider_name, provider_domain = item.source_name, item.source_domain
    else:
        provider_domain = link_domain
        provider_name = feed_title if provider_domain == _domain(feed_url) else None
    if provider_domain in AGGREGATOR_HOSTS:
        provider_domain = None
    parsed = ParsedArticle(
        title=item.title,
        excerpt=item.summary,
        body=item.body,
        url=item.link,
        published_at=published.replace(microsecond=0),
        provider_name=provider_name,
        provider_domain=provider_domain,
    )
    return ItemArticle(parsed, tuple(notes))
