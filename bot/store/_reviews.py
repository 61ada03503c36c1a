"""Store methods for review: review states, moderators' reviews, reports and thresholds."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from bot.corpus import ParsedArticle
from bot.models import Correction, Place, ReviewState
from bot.store._base import BaseStore, iso, utcnow
from bot.store._corrections import correction_values
from bot.store._notes import SAVE_NOTE, note_row
from bot.store._readings import INSERT_JURISDICTION
from bot.summary import NOTE_VERSION
from bot.tracker import RESETTING_ACTIONS

# Actions whose item can put a measure in place or end one: the queue looks at them first.
_DECIDING = tuple(sorted(RESETTING_ACTIONS))

# Who stands behind a bundled item's reviewed reading, in corrections and reviews.
BUNDLED_REVIEWER = "bundled"

# What makes a reading what it is: the automatic one, the correction over it, who reviewed it.
_READING_SQL = (
    "SELECT e.is_policy, e.action, e.scope, e.event_date,"
    " (SELECT p.jurisdiction_key FROM extraction_places p"
    "  WHERE p.article_rowid = (SELECT rowid FROM articles WHERE id = e.article_id)"
    "  AND p.rank = 0),"
    " c.is_policy, c.action, c.scope, c.event_date, c.jurisdiction_key, r.state"
    " FROM extractions e LEFT JOIN corrections c ON c.article_id = e.article_id"
    " LEFT JOIN reviews r ON r.article_id = e.article_id WHERE e.article_id = ?"
)


@dataclass(frozen=True, slots=True)
class ReviewCandidate:
    """An item the review queue may show: automatic policy news, or a reported reading."""

    article_id: str
    place_key: str | None
    action: str
    confidence: float | None
    reviewed: bool
    reports: int


@dataclass(frozen=True, slots=True)
class ReviewReport:
    """A moderator of some server asked the reviewers to look at a reading again."""

    id: int
    article_id: str
    guild_id: str | None
    reporter_id: str
    reason: str
    reported_at: str


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """Who reviewed an article's reading, when, and where the article came from."""

    article_id: str
    state: str
    reviewed_by: str
    reviewed_at: str
    source_path: str | None


def _token(db: sqlite3.Connection, article_id: str) -> str | None:
    """A short fingerprint of an article's reading as it stands (None: no reading)."""
    row = db.execute(_READING_SQL, (article_id,)).fetchone()
    if row is None:
        return None
    return hashlib.sha1(repr(tuple(row)).encode()).hexdigest()[:10]


class ReviewStore(BaseStore):
    """Reviews of readings. All SQL about review lives here."""

    async def review_states(self, article_ids: Sequence[str]) -> dict[str, ReviewState]:
        """Each article's review state and confidence, by id (unknown ids left out)."""
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, ReviewState] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT e.article_id, r.state, e.confidence FROM extractions e"
                f" LEFT JOIN reviews r ON r.article_id = e.article_id"
                f" WHERE e.article_id IN ({marks})",
                chunk,
            )
            for row in rows:
                found[row[0]] = ReviewState(row[1], row[2])
        return found

    async def reading_token(self, article_id: str) -> str | None:
        """A short fingerprint of the article's reading now: a review made against another
        one is stale (someone changed the reading meanwhile)."""
        return await self._read_sync(_token, article_id)

    async def save_review(
        self,
        correction: Correction,
        state: str,
        *,
        expected_token: str | None = None,
        extra_place: Place | None = None,
        replace: bool = False,
    ) -> bool:
        """Store a moderator's review of a reading (its fields in corrections, ``state`` in
        reviews) and close the reports on it, in one transaction; with ``expected_token``,
        only if the reading is still the one the moderator saw (False if not).

        ``replace``: the correction's fields replace a stored correction's; otherwise only
        its set fields do.
        """
        return await self._write_sync(
            _save_review, correction, state, expected_token, extra_place, replace, utcnow()
        )

    async def review_candidates(self, limit: int = 200) -> list[ReviewCandidate]:
        """Automatic policy items (the least sure first, those that can decide a status
        before those that cannot) and reported items, at most ``limit`` of the former."""
        marks = ",".join("?" * len(_DECIDING))
        rows = await self._fetchall(
            "SELECT p.article_id, p.place_key, p.action, e.confidence FROM place_events p"
            " LEFT JOIN reviews r ON r.article_id = p.article_id"
            " LEFT JOIN extractions e ON e.article_id = p.article_id"
            f" WHERE r.article_id IS NULL ORDER BY p.action IN ({marks}) DESC,"
            " coalesce(e.confidence, -1), p.article_id LIMIT ?",
            (*_DECIDING, limit),
        )
        found = {row[0]: ReviewCandidate(row[0], row[1], row[2], row[3], False, 0) for row in rows}
        reported = await self._fetchall(
            "SELECT o.article_id, count(*), p.place_key, p.action, e.confidence,"
            " r.article_id IS NOT NULL FROM review_reports o"
            " JOIN articles a ON a.id = o.article_id AND a.retracted_at IS NULL"
            " LEFT JOIN place_events p ON p.article_id = o.article_id"
            " LEFT JOIN reviews r ON r.article_id = o.article_id"
            " LEFT JOIN extractions e ON e.article_id = o.article_id"
            " WHERE o.resolved_at IS NULL GROUP BY o.article_id"
        )
        for article_id, count, place_key, action, confidence, reviewed in reported:
            found[article_id] = ReviewCandidate(
                article_id, place_key, action or "none", confidence, bool(reviewed), int(count)
            )
        return list(found.values())

    async def add_report(
        self, article_id: str, guild_id: str | None, reporter_id: str, reason: str
    ) -> int:
        """Record a report of a reading; returns its id."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO review_reports (article_id, guild_id, reporter_id, reason,"
                " reported_at) VALUES (?, ?, ?, ?, ?)",
                (article_id, guild_id, reporter_id, reason, utcnow()),
            )
            return int(cursor.lastrowid or 0)

    async def open_reports(self, article_id: str) -> list[ReviewReport]:
        """The reports on an article no review has answered yet, oldest first."""
        rows = await self._fetchall(
            "SELECT id, article_id, guild_id, reporter_id, reason, reported_at"
            " FROM review_reports WHERE article_id = ? AND resolved_at IS NULL ORDER BY id",
            (article_id,),
        )
        return [ReviewReport(*row) for row in rows]

    async def review_threshold(self, guild_id: str) -> float | None:
        """The confidence threshold a server chose, if any."""
        row = await self._fetchone(
            "SELECT threshold FROM review_thresholds WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else float(row[0])

    async def review_thresholds(self) -> dict[str, float]:
        """Every server's chosen confidence threshold."""
        rows = await self._fetchall("SELECT guild_id, threshold FROM review_thresholds")
        return {row[0]: float(row[1]) for row in rows}

    async def set_review_threshold(
        self, guild_id: str, threshold: float | None, actor_id: str
    ) -> None:
        """Set (``None``: back to the default) a server's confidence threshold."""
        async with self.transaction() as db:
            if threshold is None:
                await db.execute("DELETE FROM review_thresholds WHERE guild_id = ?", (guild_id,))
                return
            await db.execute(
                "INSERT INTO review_thresholds (guild_id, threshold, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET"
                " threshold = excluded.threshold, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                (guild_id, threshold, actor_id, utcnow()),
            )

    async def review_records(self, article_ids: Sequence[str]) -> dict[str, ReviewRecord]:
        """Who reviewed each article, when, and the corpus file it came from."""
        ids = list(dict.fromkeys(article_ids))[:500]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._fetchall(
            f"SELECT r.article_id, r.state, r.reviewed_by, r.reviewed_at,"
            f" (SELECT min(s.source_path) FROM article_sources s WHERE s.article_rowid ="
            f"  (SELECT rowid FROM articles WHERE id = r.article_id)) FROM reviews r"
            f" WHERE r.article_id IN ({marks})",
            ids,
        )
        return {row[0]: ReviewRecord(*row) for row in rows}

    async def reviewed_articles(self, *, after: str = "", limit: int = 500) -> list[str]:
        """Ids of articles a moderator confirmed or corrected (not bundled), in id order."""
        rows = await self._fetchall(
            "SELECT article_id FROM reviews WHERE state IN ('confirmed', 'corrected')"
            " AND article_id > ? ORDER BY article_id LIMIT ?",
            (after, limit),
        )
        return [row[0] for row in rows]


def _save_review(
    db: sqlite3.Connection,
    correction: Correction,
    state: str,
    expected_token: str | None,
    extra_place: Place | None,
    replace: bool,
    now: str,
) -> bool:
    """:meth:`ReviewStore.save_review` inside its transaction on the database thread."""
    if expected_token is not None and _token(db, correction.article_id) != expected_token:
        return False
    if extra_place is not None:
        db.execute(
            INSERT_JURISDICTION,
            (
                extra_place.key,
                extra_place.level,
                extra_place.name,
                extra_place.state,
                extra_place.country,
            ),
        )
    merge = "excluded.{0}" if replace else "coalesce(excluded.{0}, {0})"
    updates = ", ".join(
        f"{column} = {merge.format(column)}"
        for column in ("is_policy", "action", "scope", "event_date", "jurisdiction_key", "note")
    )
    db.execute(
        "INSERT INTO corrections (article_id, is_policy, action, scope, event_date,"
        " jurisdiction_key, corrected_by, corrected_at, note)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET {updates},"
        " corrected_by = excluded.corrected_by, corrected_at = excluded.corrected_at",
        correction_values(correction),
    )
    db.execute(
        "INSERT OR REPLACE INTO reviews (article_id, state, reviewed_by, reviewed_at)"
        " VALUES (?, ?, ?, ?)",
        (correction.article_id, state, correction.corrected_by, now),
    )
    db.execute(
        "UPDATE review_reports SET resolved_at = ? WHERE article_id = ? AND resolved_at IS NULL",
        (now, correction.article_id),
    )
    # A review can make an item policy news: it gets its status note now, as an ingested
    # one does.
    row = db.execute(
        "SELECT a.title, a.excerpt, a.body FROM place_events p"
        " JOIN articles a ON a.id = p.article_id WHERE p.article_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM article_notes n"
        "   WHERE n.article_id = p.article_id AND n.version = ?)",
        (correction.article_id, NOTE_VERSION),
    ).fetchone()
    if row is not None:
        db.execute(SAVE_NOTE, note_row(correction.article_id, *row))
    return True


def write_bundled_review(
    db: sqlite3.Connection, article_id: str, parsed: ParsedArticle, now: str
) -> None:
    """Store a bundled item's reviewed reading as its correction (state 'bundled').

    Only ingest of the package's own corpus leaves ``labels`` on a parsed article (see
    :func:`bot.ingest.read_parsed`). A moderator's later review of the item wins, and an
    unchanged reading is not written again (that would move its place's version).
    """
    labels = parsed.labels
    assert labels is not None
    review = db.execute("SELECT state FROM reviews WHERE article_id = ?", (article_id,))
    state = review.fetchone()
    if state is not None and state[0] != "bundled":
        return
    fields = (
        int(labels.is_policy),
        labels.action,
        labels.scope,
        iso(labels.event_date),
        labels.place_key,
    )
    stored = db.execute(
        "SELECT is_policy, action, scope, event_date, jurisdiction_key FROM corrections"
        " WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    if state is not None and stored is not None and tuple(stored) == fields:
        return
    if labels.place_key:
        place = Place.from_key(labels.place_key)
        db.execute(
            INSERT_JURISDICTION,
            (place.key, place.level, place.name, place.state, place.country),
        )
    db.execute(
        "INSERT INTO corrections (article_id, is_policy, action, scope, event_date,"
        " jurisdiction_key, corrected_by, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(article_id) DO UPDATE SET is_policy = excluded.is_policy,"
        " action = excluded.action, scope = excluded.scope,"
        " event_date = excluded.event_date, jurisdiction_key = excluded.jurisdiction_key,"
        " corrected_by = excluded.corrected_by, corrected_at = excluded.corrected_at",
        (article_id, *fields, BUNDLED_REVIEWER, now),
    )
    db.execute(
        "INSERT OR REPLACE INTO reviews (article_id, state, reviewed_by, reviewed_at)"
        " VALUES (?, 'bundled', ?, ?)",
        (article_id, BUNDLED_REVIEWER, now),
    )
    if labels.is_policy:
        db.execute(
            "INSERT OR IGNORE INTO article_notes (article_id, version, note) VALUES (?, ?, ?)",
            note_row(article_id, parsed.title, parsed.excerpt, parsed.body),
        )
