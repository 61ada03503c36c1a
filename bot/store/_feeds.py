"""Store methods for news feeds: the feed list with its health, the entries each feed showed,
and the notices for moderators that feeds (and later alerts) post to a server's log channel."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import aiosqlite

from bot.store._base import utcnow
from bot.store._files import FileStore, FileWrite

TAKEN = "taken"
SKIPPED = "skipped"
ALREADY_KNOWN = "already known"


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed and its health."""

    id: int
    url: str
    title: str | None
    interval_seconds: int
    added_by: str
    added_at: str
    guild_id: str | None
    channel_id: str | None
    etag: str | None
    last_modified: str | None
    next_poll_at: float
    last_polled_at: str | None
    last_success_at: str | None
    last_error_at: str | None
    last_error: str | None
    last_result: dict[str, object]
    failures: int
    failing_since: str | None
    items_taken: int
    items_skipped: int


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An entry a feed showed, and what became of it."""

    feed_id: int
    feed_url: str
    entry_key: str
    link: str | None
    title: str
    seen_at: str
    outcome: str
    reason: str
    article_id: str | None


@dataclass(frozen=True, slots=True)
class NewFeedEntry:
    """An entry seen for the first time. With ``write`` set it is stored as that article
    (taken if the article is new, skipped as already known if it merged into one)."""

    entry_key: str
    title: str
    link: str | None = None
    canonical_url: str | None = None
    reason: str = ""
    write: FileWrite | None = None


@dataclass(slots=True)
class PollRecord:
    """What one poll changes in a feed's row (worked out by the poller)."""

    polled_at: str
    next_poll_at: float
    failures: int
    failing_since: str | None
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    success: bool = True
    error: str | None = None
    # The poll's summary; recording adds what became of the new entries ("taken", "skipped").
    result: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    """What recording one new entry did."""

    entry_key: str
    outcome: str
    reason: str
    article_id: str | None


@dataclass(frozen=True, slots=True)
class LogNotice:
    """A notice waiting for (or posted to) a server's log channel."""

    id: int
    guild_id: str | None
    key: str
    text: str
    fallback_channel_id: str | None
    attempts: int
    sent_at: str | None
    error: str | None


def _feed(row: aiosqlite.Row | sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        interval_seconds=row["interval_seconds"],
        added_by=row["added_by"],
        added_at=row["added_at"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        next_poll_at=row["next_poll_at"],
        last_polled_at=row["last_polled_at"],
        last_success_at=row["last_success_at"],
        last_error_at=row["last_error_at"],
        last_error=row["last_error"],
        last_result=json.loads(row["last_result"] or "{}"),
        failures=row["failures"],
        failing_since=row["failing_since"],
        items_taken=row["items_taken"],
        items_skipped=row["items_skipped"],
    )


def _notice(row: aiosqlite.Row) -> LogNotice:
    return LogNotice(
        id=row["id"],
        guild_id=row["guild_id"],
        key=row["key"],
        text=row["text"],
        fallback_channel_id=row["fallback_channel_id"],
        attempts=row["attempts"],
        sent_at=row["sent_at"],
        error=row["error"],
    )


class FeedStore(FileStore):
    """Feeds, their entries, and log-channel notices. Feed items are written with the
    articles' own code (:meth:`FileStore._write_files`), in the same transaction as the
    entries that record them, so a crash never leaves an article without its entry."""

    # -- the feed list --------------------------------------------------------------------

    async def add_feed(
        self,
        url: str,
        *,
        interval_seconds: int,
        added_by: str,
        guild_id: str | None,
        channel_id: str | None,
        next_poll_at: float,
    ) -> Feed | None:
        """Add a feed; None if a feed with this URL is already listed."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO feeds (url, interval_seconds, added_by, added_at, guild_id,"
                " channel_id, next_poll_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(url) DO NOTHING",
                (url, interval_seconds, added_by, utcnow(), guild_id, channel_id, next_poll_at),
            )
            if cursor.rowcount == 0:
                return None
            row = await self._row(db, "SELECT * FROM feeds WHERE id = ?", (cursor.lastrowid,))
        assert row is not None
        return _feed(row)

    async def feed(self, feed_id: int) -> Feed | None:
        """One feed by id."""
        row = await self._fetchone("SELECT * FROM feeds WHERE id = ?", (feed_id,))
        return _feed(row) if row else None

    async def feed_by_url(self, url: str) -> Feed | None:
        """One feed by its exact URL."""
        row = await self._fetchone("SELECT * FROM feeds WHERE url = ?", (url,))
        return _feed(row) if row else None

    async def feeds(self) -> list[Feed]:
        """Every feed, in the order they were added."""
        return [_feed(row) for row in await self._fetchall("SELECT * FROM feeds ORDER BY id")]

    async def count_feeds(self) -> int:
        """How many feeds are listed."""
        row = await self._fetchone("SELECT COUNT(*) FROM feeds")
        return int(row[0]) if row else 0

    async def remove_feed(self, feed_id: int) -> bool:
        """Remove a feed and its entries (the articles it brought stay). False if unknown."""
        async with self.transaction() as db:
            cursor = await db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            return cursor.rowcount > 0

    async def due_feeds(self, now: float, limit: int, exclude: Iterable[int] = ()) -> list[Feed]:
        """Feeds whose next poll is due at ``now``, the most overdue first."""
        skip = list(exclude)
        marks = ",".join("?" * len(skip))
        rows = await self._fetchall(
            "SELECT * FROM feeds WHERE next_poll_at <= ?"
            + (f" AND id NOT IN ({marks})" if skip else "")
            + " ORDER BY next_poll_at LIMIT ?",
            [now, *skip, limit],
        )
        return [_feed(row) for row in rows]

    async def next_poll_at(self) -> float | None:
        """When the next feed is due (Unix time), None without feeds."""
        row = await self._fetchone("SELECT min(next_poll_at) FROM feeds")
        return None if row is None or row[0] is None else float(row[0])

    async def move_feed(self, feed_id: int, url: str) -> bool:
        """Give a feed its new address (it moved for good); False if another feed has it."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE OR IGNORE feeds SET url = ? WHERE id = ?", (url, feed_id)
            )
            return cursor.rowcount > 0

    async def schedule_all_feeds(self, next_poll_at: float) -> int:
        """Poll every feed at ``next_poll_at`` (``/feeds check`` without a feed)."""
        async with self.transaction() as db:
            cursor = await db.execute("UPDATE feeds SET next_poll_at = ?", (next_poll_at,))
            return cursor.rowcount

    # -- entries --------------------------------------------------------------------------

    async def known_entry_keys(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` this feed already showed."""
        known: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT entry_key FROM feed_entries WHERE feed_id = ? AND entry_key IN ({marks})",
                [feed_id, *chunk],
            )
            known.update(row[0] for row in rows)
        return known

    async def record_feed_poll(
        self,
        feed_id: int,
        record: PollRecord,
        entries: Sequence[NewFeedEntry] = (),
        *,
        extractor_version: str = "",
    ) -> list[EntryOutcome]:
        """Write one poll in one transaction: the new entries (each taken entry's article
        through the articles' own code, deduplicated as a corpus item is), the counts, and
        the feed's health. Returns what became of each new entry."""
        return await self._write_sync(
            self._write_feed_poll, feed_id, record, entries, extractor_version, utcnow()
        )

    def _write_feed_poll(
        self,
        db: sqlite3.Connection,
        feed_id: int,
        record: PollRecord,
        entries: Sequence[NewFeedEntry],
        extractor_version: str,
        now: str,
    ) -> list[EntryOutcome]:
        if db.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
            return []  # removed while it was being polled
        writes = [entry.write for entry in entries if entry.write is not None]
        outcomes, failure = self._write_files(db, writes, extractor_version, "feed")
        if failure is not None:
            raise failure
        by_path = {write.path: outcome for write, outcome in zip(writes, outcomes, strict=True)}
        results: list[EntryOutcome] = []
        for entry in entries:
            outcome, reason, article_id = SKIPPED, entry.reason, None
            if entry.write is not None:
                stored = by_path[entry.write.path]
                if stored.new:
                    outcome, reason, article_id = TAKEN, entry.reason, stored.new[0]
                else:
                    ids = stored.updated or stored.unchanged or stored.merged
                    article_id = ids[0] if ids else None
                    reason = ALREADY_KNOWN
            results.append(EntryOutcome(entry.entry_key, outcome, reason, article_id))
            db.execute(
                "INSERT OR IGNORE INTO feed_entries (feed_id, entry_key, link, canonical_url,"
                " title, seen_at, outcome, reason, article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    feed_id,
                    entry.entry_key,
                    entry.link,
                    entry.canonical_url,
                    entry.title,
                    now,
                    outcome,
                    reason,
                    article_id,
                ),
            )
        taken = sum(1 for result in results if result.outcome == TAKEN)
        summary = dict(record.result)
        if entries:
            skipped: dict[str, int] = {}
            for result in results:
                if result.outcome != TAKEN:
                    skipped[result.reason] = skipped.get(result.reason, 0) + 1
            summary.update(taken=taken, skipped=skipped)
        record.result = summary
        db.execute(
            "UPDATE feeds SET next_poll_at = ?, last_polled_at = ?, failures = ?,"
            " failing_since = ?, etag = coalesce(?, etag),"
            " last_modified = coalesce(?, last_modified), title = coalesce(?, title),"
            " last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END,"
            " last_error_at = CASE WHEN ? THEN last_error_at ELSE ? END,"
            " last_error = CASE WHEN ? THEN last_error ELSE ? END,"
            " last_result = ?, items_taken = items_taken + ?, items_skipped = items_skipped + ?"
            " WHERE id = ?",
            (
                record.next_poll_at,
                record.polled_at,
                record.failures,
                record.failing_since,
                record.etag,
                record.last_modified,
                record.title,
                record.success,
                record.polled_at,
                record.success,
                record.polled_at,
                record.success,
                record.error,
                json.dumps(summary, sort_keys=True),
                taken,
                len(results) - taken,
                feed_id,
            ),
        )
        return results

    async def feed_entries_for_url(self, urls: Sequence[str]) -> list[FeedEntry]:
        """Entries whose link or canonical URL is one of ``urls``, newest first."""
        wanted = [url for url in dict.fromkeys(urls) if url][:10]
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        rows = await self._fetchall(
            f"SELECT e.*, f.url AS feed_url FROM feed_entries e JOIN feeds f ON f.id = e.feed_id"
            f" WHERE e.link IN ({marks}) OR e.canonical_url IN ({marks})"
            f" ORDER BY e.seen_at DESC LIMIT 20",
            [*wanted, *wanted],
        )
        return [
            FeedEntry(
                feed_id=row["feed_id"],
                feed_url=row["feed_url"],
                entry_key=row["entry_key"],
                link=row["link"],
                title=row["title"],
                seen_at=row["seen_at"],
                outcome=row["outcome"],
                reason=row["reason"],
                article_id=row["article_id"],
            )
            for row in rows
        ]

    async def skipped_reasons_by_feed(self) -> dict[int, dict[str, int]]:
        """For every feed, how many remembered skipped entries were skipped for each reason."""
        rows = await self._fetchall(
            "SELECT feed_id, reason, COUNT(*) FROM feed_entries WHERE outcome = ?"
            " GROUP BY feed_id, reason ORDER BY feed_id, COUNT(*) DESC, reason",
            (SKIPPED,),
        )
        found: dict[int, dict[str, int]] = {}
        for row in rows:
            found.setdefault(row[0], {})[row[1]] = int(row[2])
        return found

    async def skipped_reasons(self, feed_id: int) -> dict[str, int]:
        """How many of a feed's remembered skipped entries were skipped for each reason."""
        rows = await self._fetchall(
            "SELECT reason, COUNT(*) FROM feed_entries WHERE feed_id = ? AND outcome = ?"
            " GROUP BY reason ORDER BY COUNT(*) DESC, reason",
            (feed_id, SKIPPED),
        )
        return {row[0]: int(row[1]) for row in rows}

    async def forget_skipped_entries(self, seen_before: str) -> int:
        """Forget skipped entries first seen before the ISO time ``seen_before``."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM feed_entries WHERE outcome = ? AND seen_at < ?",
                (SKIPPED, seen_before),
            )
            return cursor.rowcount

    # -- notices for a server's log channel -------------------------------------------------

    async def queue_log_notice(
        self,
        guild_id: str | None,
        key: str,
        text: str,
        *,
        fallback_channel_id: str | None = None,
    ) -> bool:
        """Queue a notice for a server's log channel (``guild_id`` None: the home server);
        False if one with this key was queued before (it is told once)."""
        now = utcnow()
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO log_notices (guild_id, key, text, fallback_channel_id, created_at,"
                " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(coalesce(guild_id, ''), key) DO NOTHING",
                (guild_id, key, text, fallback_channel_id, now, now),
            )
            return cursor.rowcount > 0

    async def pending_log_notices(self, now: str | None = None, limit: int = 20) -> list[LogNotice]:
        """Notices not posted yet whose next attempt is due, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM log_notices WHERE sent_at IS NULL AND next_attempt_at <= ?"
            " ORDER BY id LIMIT ?",
            (now or utcnow(), limit),
        )
        return [_notice(row) for row in rows]

    async def log_notices(self, limit: int = 20) -> list[LogNotice]:
        """The latest notices, posted or not, newest first."""
        rows = await self._fetchall("SELECT * FROM log_notices ORDER BY id DESC LIMIT ?", (limit,))
        return [_notice(row) for row in rows]

    async def log_notice_sent(self, notice_id: int, channel_id: str, message_id: str) -> None:
        """Record that a notice was posted."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE log_notices SET sent_at = ?, channel_id = ?, message_id = ?, error = NULL,"
                " attempts = attempts + 1 WHERE id = ?",
                (utcnow(), channel_id, message_id, notice_id),
            )

    async def log_notice_failed(self, notice_id: int, error: str, next_attempt_at: str) -> None:
        """Record why a notice could not be posted, and when to try again."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE log_notices SET error = ?, next_attempt_at = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (error[:300], next_attempt_at, notice_id),
            )
