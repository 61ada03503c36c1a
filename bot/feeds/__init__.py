"""News feeds (RSS/Atom): a list the home server's moderators keep, polled politely, each
new facial-recognition item taken into the one corpus (and so into alerts), every other
entry skipped with its reason, and failures told to the moderators once.

:class:`Feeds` is the one implementation of ``/feeds add|list|remove|check|why``; the cog,
the console page and ``banwatch feeds`` are faces over it. Its :meth:`Feeds.run` loop polls
the feeds that are due without blocking the event loop: fetching is asynchronous, parsing
and reading items run on a worker thread, one document at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import ipaddress
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.corpus import canonical_url
from bot.errors import BanwatchError
from bot.feeds import _guard
from bot.feeds._guard import (
    AddressPolicy,
    FeedRefused,
    FetchLimits,
    Network,
    Resolve,
    parse_networks,
)
from bot.feeds._parse import FeedError, FeedItem, ParsedFeed, parse_feed, to_parsed
from bot.feeds._render import describe_result, duration, iso, render_feed, when
from bot.settings import Settings, SettingsError
from bot.store import Store
from bot.store._feeds import ALREADY_KNOWN, TAKEN, Feed, NewFeedEntry, PollRecord
from bot.store._files import FileWrite

if TYPE_CHECKING:
    from bot.feeds._fetch import Fetched, Fetcher

__all__ = [
    "NOT_FR",
    "AddressPolicy",
    "Feed",
    "FeedSettings",
    "Feeds",
    "FetchLimits",
    "feed_settings",
    "parse_networks",
]

log = logging.getLogger(__name__)

NOT_FR = "not about facial recognition"
NO_LINK = "no link to the article"
# Feeds fail after this many polls in a row go wrong (at once on 404 or 410).
FAILING_AFTER = 3
MAX_FEEDS = 1000
MIN_EVERY_MINUTES = 5
MAX_EVERY_MINUTES = 24 * 60
# Back-off on errors doubles the interval per failure, up to this.
MAX_BACKOFF_SECONDS = 6 * 3600
# Feeds polled at once; the rest wait their turn.
CONCURRENT_POLLS = 16
# The loop looks for due feeds at least this often (a new feed, /feeds check).
LOOP_SECONDS = 1.0
# Skipped entries are forgotten after this many days (/feeds why answers until then).
KEEP_SKIPPED_DAYS = 30
PRUNE_EVERY_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """How feeds are polled; built once from the bot's settings."""

    interval_seconds: int = 900
    # Each interval is lengthened by up to this fraction, at random: feeds added together
    # drift apart instead of being polled in one burst forever.
    jitter: float = 0.1
    allowed_networks: tuple[Network, ...] = ()
    limits: FetchLimits = field(default_factory=FetchLimits)
    # Entries published more than this many days before they are first seen are skipped:
    # a new feed's backlog is old news, not alerts (0: no limit).
    max_age_days: int = 7

    def largest_jitter(self, interval: float) -> float:
        """The most a poll of a feed with this interval may come late on purpose."""
        return interval * self.jitter


def feed_settings(settings: Settings) -> FeedSettings:
    """The feeds' settings from the bot's; a bad network list raises SettingsError."""
    try:
        networks = parse_networks(settings.feeds_allow_networks)
    except ValueError as exc:
        raise SettingsError(f"BANWATCH_FEEDS_ALLOW_NETWORKS: {exc}") from exc
    return FeedSettings(
        interval_seconds=settings.feeds_interval_seconds,
        allowed_networks=networks,
        max_age_days=settings.feeds_max_age_days,
    )


@dataclass(slots=True)
class PollOutcome:
    """What one poll of one feed did (for /feeds check, the CLI and tests)."""

    feed_id: int
    ok: bool
    summary: str
    taken: list[str] = field(default_factory=list)
    error: str | None = None


class Feeds:
    """The feed list, the poller and the answers about them, over one store."""

    def __init__(
        self,
        store: Store,
        settings: FeedSettings | None = None,
        *,
        resolve: Resolve | None = None,
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or FeedSettings()
        self.policy = AddressPolicy(self.settings.allowed_networks)
        # Looked up now, not at import: the tests replace the system resolver with one that
        # refuses, so that no test ever asks DNS (or sends anything beyond 127.0.0.0/8).
        self._resolve = resolve or _guard.system_resolve
        self._fetcher: Fetcher | None = None
        self.clock = clock or time.time
        self.random = rng or random.Random()
        self._in_flight: dict[int, asyncio.Task[PollOutcome]] = {}
        self._slots = asyncio.Semaphore(CONCURRENT_POLLS)
        # Parsing and reading items run on a worker thread, one document at a time: the
        # event loop never parses, and a burst of feeds never holds several in memory.
        self._cpu = asyncio.Lock()
        self._last_prune = 0.0
        self._loop_task: asyncio.Task[None] | None = None

    @property
    def fetcher(self) -> Fetcher:
        """The HTTP side, made at the first fetch (aiohttp is imported then, not before)."""
        if self._fetcher is None:
            from bot.feeds._fetch import Fetcher

            self._fetcher = Fetcher(self.policy, resolve=self._resolve, limits=self.settings.limits)
        return self._fetcher

    def start(self) -> None:
        """Poll in the background (:meth:`run`) until :meth:`close`."""
        if self._loop_task is not None and not self._loop_task.done():
            raise RuntimeError("the feeds are already polled")
        self._loop_task = asyncio.create_task(self.run(), name="banwatch-feeds")

    def is_running(self) -> bool:
        """Whether the background polling runs."""
        return self._loop_task is not None and not self._loop_task.done()

    async def close(self) -> None:
        """Stop polling and close the HTTP session."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._fetcher is not None:
            await self._fetcher.close()
            self._fetcher = None

    # -- the list ---------------------------------------------------------------------------

    async def add(
        self,
        url: str,
        *,
        actor_id: str,
        guild_id: str | None = None,
        channel_id: str | None = None,
        every_minutes: int | None = None,
    ) -> Feed:
        """List a feed (polled at once); refused for other schemes and private addresses."""
        if every_minutes is None:
            interval = self.settings.interval_seconds
        elif MIN_EVERY_MINUTES <= every_minutes <= MAX_EVERY_MINUTES:
            interval = every_minutes * 60
        else:
            raise BanwatchError(
                f"A feed is polled every {MIN_EVERY_MINUTES} to {MAX_EVERY_MINUTES} minutes."
            )
        if await self.store.count_feeds() >= MAX_FEEDS:
            raise BanwatchError(f"banwatch follows at most {MAX_FEEDS} feeds; remove one first.")
        try:
            url = self.policy.check_url(url)
        except FeedRefused as exc:
            raise BanwatchError(f"Can't add this feed: {exc}.") from exc
        existing = await self.store.feed_by_url(url)
        if existing is not None:
            raise BanwatchError(f"That feed is already listed as #{existing.id}.")
        parts = urlsplit(url)
        await self._precheck(
            parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80)
        )
        feed = await self.store.add_feed(
            url,
            interval_seconds=interval,
            added_by=actor_id,
            guild_id=guild_id,
            channel_id=channel_id,
            next_poll_at=self.clock(),
        )
        if feed is None:
            existing = await self.store.feed_by_url(url)
            number = f" as #{existing.id}" if existing else ""
            raise BanwatchError(f"That feed is already listed{number}.")
        await self.store.record_audit(
            actor_id=actor_id,
            guild_id=guild_id,
            action="feeds.add",
            target=str(feed.id),
            detail={"url": url, "interval_seconds": interval},
        )
        return feed

    async def _precheck(self, host: str, port: int) -> None:
        """Refuse a host that resolves to a refused address now, not at the first poll
        (a name that does not resolve yet is listed; its health will say so). An address
        written in the URL was checked with it."""
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host.split("%", 1)[0])
            return
        try:
            from bot.feeds._fetch import GuardedResolver

            await GuardedResolver(self.policy, self._resolve).resolve(host, port)
        except FeedRefused as exc:
            raise BanwatchError(f"Can't add this feed: {exc}.") from exc
        except OSError:
            return

    async def find(self, ref: str | int) -> Feed:
        """A feed by number (``3`` or ``#3``) or by its URL."""
        text = str(ref).strip()
        feed = None
        if text.lstrip("#").isdigit():
            feed = await self.store.feed(int(text.lstrip("#")))
        elif text:
            feed = await self.store.feed_by_url(text)
        if feed is None:
            raise BanwatchError(f"No feed {text[:80]!r}; `/feeds list` shows their numbers.")
        return feed

    async def choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        """(label, value) of the feeds whose number or URL contains ``current``."""
        wanted = current.strip().lstrip("#").lower()
        found = []
        for feed in await self.store.feeds():
            label = f"#{feed.id} {feed.url}"
            if wanted in label.lower() or wanted in (feed.title or "").lower():
                found.append((label[:100], str(feed.id)))
            if len(found) >= limit:
                break
        return found

    async def remove(self, ref: str | int, *, actor_id: str, guild_id: str | None = None) -> Feed:
        """Stop following a feed (the items it brought stay in the corpus)."""
        feed = await self.find(ref)
        task = self._in_flight.get(feed.id)
        if task is not None:
            task.cancel()
        await self.store.remove_feed(feed.id)
        await self.store.record_audit(
            actor_id=actor_id,
            guild_id=guild_id,
            action="feeds.remove",
            target=str(feed.id),
            detail={"url": feed.url},
        )
        return feed

    async def health(self) -> list[tuple[Feed, dict[str, int]]]:
        """Every feed with how many of its remembered skipped entries were skipped for what."""
        reasons = await self.store.skipped_reasons_by_feed()
        return [(feed, reasons.get(feed.id, {})) for feed in await self.store.feeds()]

    async def list_text(self) -> str:
        """``/feeds list`` as text."""
        feeds = await self.health()
        if not feeds:
            return "No feeds yet. Add one with `/feeds add url`."
        return "\n".join(render_feed(feed, reasons) for feed, reasons in feeds)

    async def check(self, ref: str | int | None = None) -> str:
        """Poll one feed now and show its health, or ask for every feed to be polled now."""
        if ref is None or not str(ref).strip():
            count = await self.store.schedule_all_feeds(self.clock())
            return f"All {count} feeds will be polled within a few seconds."
        feed = await self.find(ref)
        outcome = await self._start(feed)
        refreshed = await self.store.feed(feed.id)
        if refreshed is None:
            return f"Feed #{feed.id} was removed."
        reasons = await self.store.skipped_reasons(feed.id)
        return f"Polled now: {outcome.summary}\n" + render_feed(refreshed, reasons)

    async def why(self, item_url: str) -> str:
        """What became of an item a feed showed (``/feeds why``)."""
        url = item_url.strip()
        if not url:
            raise BanwatchError(
                "Give the item's link, e.g. `/feeds why https://example.org/story`."
            )
        urls = [url]
        if url.lower().startswith(("http://", "https://")):
            urls.append(canonical_url(url))
        entries = await self.store.feed_entries_for_url(urls)
        if not entries:
            return (
                "No feed showed an item with this link (skipped items are remembered for"
                f" {KEEP_SKIPPED_DAYS} days)."
            )
        lines = []
        for entry in entries:
            head = (
                f"Feed #{entry.feed_id} ({entry.feed_url}) showed {entry.title!r}"
                f" on {when(entry.seen_at)}:"
            )
            if entry.outcome == TAKEN:
                text = f"taken into the corpus as article {entry.article_id}"
                if entry.reason:
                    text += f" ({entry.reason})"
            elif entry.reason == NOT_FR:
                text = (
                    f"skipped: {NOT_FR} (no facial-recognition term in its title or summary,"
                    " so it was not stored)"
                )
            elif entry.reason == ALREADY_KNOWN and entry.article_id:
                text = f"skipped: already known as article {entry.article_id} (the same story)"
            else:
                text = f"skipped: {entry.reason}"
            lines.append(f"{head} {text}.")
        return "\n".join(lines)

    # -- polling ------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll due feeds until cancelled; a failure is logged and the loop goes on."""
        while True:
            try:
                await self.poll_due()
                await self.forget_old_skipped()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("feeds: the poller failed; trying again shortly")
            delay = LOOP_SECONDS
            with contextlib.suppress(Exception):
                upcoming = await self.store.next_poll_at()
                if upcoming is not None:
                    delay = min(max(upcoming - self.clock(), 0.05), LOOP_SECONDS)
            await asyncio.sleep(delay)

    async def poll_due(self, *, wait: bool = False) -> int:
        """Start polling the feeds that are due (``wait``: and wait for them); returns how many."""
        free = CONCURRENT_POLLS * 2 - len(self._in_flight)
        if free <= 0:
            return 0
        due = await self.store.due_feeds(self.clock(), free, exclude=list(self._in_flight))
        started = [self._start(feed) for feed in due]
        if wait and started:
            await asyncio.gather(*started, return_exceptions=True)
        return len(started)

    def _done(self, feed_id: int, task: asyncio.Task[PollOutcome]) -> None:
        if self._in_flight.get(feed_id) is task:
            del self._in_flight[feed_id]
        if not task.cancelled() and task.exception() is not None:
            log.error("feeds: polling feed #%d failed", feed_id, exc_info=task.exception())

    async def _poll_slot(self, feed: Feed) -> PollOutcome:
        async with self._slots:
            try:
                return await self.poll(feed)
            except asyncio.CancelledError:
                raise
            except sqlite3.OperationalError as exc:
                # The database was busy (another process writing, e.g. `banwatch feeds add`):
                # nothing of this poll was stored and the feed stays due, so it is polled
                # again in a moment, as if this poll had not happened.
                log.warning("feeds: feed #%d: the database was busy (%s); again soon", feed.id, exc)
                return PollOutcome(feed.id, False, f"database busy: {exc}", error=str(exc))
            except Exception as exc:
                # A bug must not leave the feed due (polled again every second) nor silent.
                log.exception("feeds: polling feed #%d failed unexpectedly", feed.id)
                reason = f"banwatch failed on this feed ({type(exc).__name__}; logged)"
                return await self._failed(feed, self.clock(), reason)

    def _start(self, feed: Feed) -> asyncio.Task[PollOutcome]:
        """Poll ``feed`` in a task of its own, unless it is being polled already."""
        task = self._in_flight.get(feed.id)
        if task is None:
            task = asyncio.create_task(self._poll_slot(feed), name=f"feeds-poll-{feed.id}")
            self._in_flight[feed.id] = task
            task.add_done_callback(lambda t, feed_id=feed.id: self._done(feed_id, t))
        return task

    async def poll(self, feed: Feed) -> PollOutcome:
        """Fetch one feed and record what it brought; never raises for a bad feed."""
        from bot.feeds._fetch import FetchFailed

        started = self.clock()
        try:
            fetched = await self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        except FetchFailed as exc:
            return await self._failed(feed, started, exc.reason, exc.retry_after, gone=exc.gone)
        if fetched.status == 304:
            record = self._success_record(feed, started, fetched, {"status": 304})
            await self._moved(feed, fetched, record.result)
            await self.store.record_feed_poll(feed.id, record)
            await self._recovered(feed)
            return PollOutcome(feed.id, True, describe_result(record.result))
        try:
            async with self._cpu:
                parsed = await asyncio.to_thread(
                    parse_feed, fetched.body, url=fetched.url, content_type=fetched.content_type
                )
        except FeedError as exc:
            return await self._failed(feed, started, exc.reason)
        seen = dt.datetime.fromtimestamp(started, dt.UTC)
        items = list({item.key: item for item in parsed.items}.values())
        known = await self.store.known_entry_keys(feed.id, [item.key for item in items])
        fresh = [item for item in items if item.key not in known]
        async with self._cpu:
            entries, notes = await asyncio.to_thread(self._read_items, feed, parsed, fresh, seen)
        result: dict[str, object] = {"status": fetched.status, "entries": len(items)}
        result["new"] = len(fresh)
        if notes:
            result["notes"] = notes
        if parsed.empty:
            result["empty"] = parsed.empty
        if parsed.warning:
            result["warning"] = parsed.warning
        await self._moved(feed, fetched, result)
        record = self._success_record(feed, started, fetched, result, title=parsed.title)
        from bot.extraction import EXTRACTOR_VERSION  # see _read_items

        # The store adds what became of the new entries (taken, skipped and why) to the
        # result, in the transaction that deduplicates them.
        outcomes = await self.store.record_feed_poll(
            feed.id, record, entries, extractor_version=EXTRACTOR_VERSION
        )
        taken = [o.article_id for o in outcomes if o.outcome == TAKEN and o.article_id]
        await self._recovered(feed)
        if taken:
            log.info("feeds: feed #%d brought %d new item(s)", feed.id, len(taken))
        return PollOutcome(feed.id, True, describe_result(record.result), taken=taken)

    def _read_items(
        self, feed: Feed, parsed: ParsedFeed, fresh: Sequence[FeedItem], seen: dt.datetime
    ) -> tuple[list[NewFeedEntry], dict[str, int]]:
        """Each new item skipped with its reason, or read by the extraction as an article
        to store (on a worker thread: the extraction is CPU work)."""
        # Imported here, not with the module: every command-line look-up builds the feeds
        # service, and the extractor's import is a tenth of such a look-up's time.
        from bot.extraction import mentions_fr
        from bot.ingest import read_article, to_article

        entries: list[NewFeedEntry] = []
        notes: dict[str, int] = {}
        oldest = (
            seen - dt.timedelta(days=self.settings.max_age_days)
            if self.settings.max_age_days
            else None
        )
        for item in fresh:
            made = to_parsed(item, feed_title=parsed.title, feed_url=feed.url, seen_at=seen)
            article = made.parsed
            base = NewFeedEntry(
                entry_key=item.key,
                title=item.title,
                link=item.link,
                canonical_url=article.canonical_url,
            )
            if item.link is None:
                entries.append(replace(base, reason=NO_LINK))
                continue
            if oldest is not None and article.published_at and article.published_at < oldest:
                reason = f"older than {self.settings.max_age_days} days when first seen"
                entries.append(replace(base, reason=reason))
                continue
            text = to_article(article)
            if not mentions_fr(text):
                entries.append(replace(base, reason=NOT_FR))
                continue
            for note in made.notes:
                key = note.split(" (", 1)[0].split(":", 1)[0]
                notes[key] = notes.get(key, 0) + 1
            reading = read_article(text)
            data = article.content_hash().encode()
            write = FileWrite(
                "articles",
                f"feed:{feed.id}:{hashlib.sha1(item.key.encode()).hexdigest()[:16]}",
                len(data),
                0,
                hashlib.sha256(data).hexdigest(),
                [(article, reading)],
            )
            entries.append(replace(base, reason="; ".join(made.notes), write=write))
        return entries, notes

    async def _moved(self, feed: Feed, fetched: Fetched, result: dict[str, object]) -> None:
        """A feed that moved for good (301, 308) is polled at its new address from now on,
        unless that address is another listed feed's (then the redirect is followed each time)."""
        if fetched.moved_to is None:
            return
        try:
            url = self.policy.check_url(fetched.moved_to)
        except FeedRefused:
            return
        if await self.store.move_feed(feed.id, url):
            result["moved"] = url
            await self.store.record_audit(
                actor_id="banwatch",
                action="feeds.moved",
                target=str(feed.id),
                detail={"from": feed.url, "to": url},
            )
            log.info("feeds: feed #%d moved permanently to %s", feed.id, url)

    def _success_record(
        self,
        feed: Feed,
        started: float,
        fetched: Fetched,
        result: dict[str, object],
        *,
        title: str | None = None,
    ) -> PollRecord:
        return PollRecord(
            polled_at=iso(started),
            next_poll_at=self._next(feed.interval_seconds, started),
            failures=0,
            failing_since=None,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=title,
            result=result,
        )

    def _next(self, interval: float, now: float) -> float:
        return now + interval + self.random.uniform(0, self.settings.largest_jitter(interval))

    async def _failed(
        self,
        feed: Feed,
        started: float,
        reason: str,
        retry_after: float | None = None,
        *,
        gone: bool = False,
    ) -> PollOutcome:
        """Record a failed poll: back off, mark the feed failing, and tell the moderators
        once when it starts failing."""
        failures = feed.failures + 1
        reason = reason[:300]  # a server's words (its HTTP reason phrase) are shown to people
        backoff = min(feed.interval_seconds * 2**failures, MAX_BACKOFF_SECONDS)
        delay = max(backoff, feed.interval_seconds, retry_after or 0.0)
        next_poll = (
            started
            + delay
            + self.random.uniform(0, self.settings.largest_jitter(feed.interval_seconds))
        )
        failing_since = feed.failing_since
        now_failing = failing_since is None and (failures >= FAILING_AFTER or gone)
        if now_failing:
            failing_since = iso(started)
        record = PollRecord(
            polled_at=iso(started),
            next_poll_at=next_poll,
            failures=failures,
            failing_since=failing_since,
            success=False,
            error=reason,
            result={"error": reason},
        )
        await self.store.record_feed_poll(feed.id, record)
        if now_failing:
            why = "it is gone (HTTP 404/410)" if gone else f"{failures} polls in a row failed"
            await self.store.queue_log_notice(
                None,
                f"feed:{feed.id}:failing:{failing_since}",
                f"Feed #{feed.id} {feed.url} is failing ({why}): {reason}. banwatch keeps"
                f" trying, less often (next in about {duration(delay)}); `/feeds remove"
                f" {feed.id}` stops it.",
                fallback_channel_id=feed.channel_id,
            )
            log.warning("feeds: feed #%d is failing: %s", feed.id, reason)
        return PollOutcome(feed.id, False, f"failed: {reason}", error=reason)

    async def _recovered(self, feed: Feed) -> None:
        if feed.failing_since is None:
            return
        await self.store.queue_log_notice(
            None,
            f"feed:{feed.id}:recovered:{feed.failing_since}",
            f"Feed #{feed.id} {feed.url} has recovered: polled fine again after failing since"
            f" {when(feed.failing_since)}.",
            fallback_channel_id=feed.channel_id,
        )
        log.info("feeds: feed #%d recovered", feed.id)

    async def forget_old_skipped(self) -> int:
        """Forget entries skipped more than :data:`KEEP_SKIPPED_DAYS` ago (the poller's loop
        does it at most hourly); returns how many."""
        now = self.clock()
        if now - self._last_prune < PRUNE_EVERY_SECONDS:
            return 0
        self._last_prune = now
        return await self.store.forget_skipped_entries(iso(now - KEEP_SKIPPED_DAYS * 86400))
