"""Store methods for the extractor's readings of articles (what each is about)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite

from bot.models import Article, Extraction, Place
from bot.store._base import BaseStore, iso, utcnow

INSERT_JURISDICTION = (
    "INSERT OR IGNORE INTO jurisdictions (key, level, name, state, country) VALUES (?, ?, ?, ?, ?)"
)


class ReadingStore(BaseStore):
    """The automatic readings, written with their articles or afresh by a new extractor."""

    def _write_extraction(
        self,
        db: sqlite3.Connection,
        article_id: str,
        extraction: Extraction,
        extractor_version: str,
        now: str,
        *,
        article_rowid: int | None = None,
    ) -> None:
        """Replace the automatic reading of an article; ``article_rowid`` is given for a new
        article, which has none yet."""
        new = article_rowid is not None
        if article_rowid is not None:
            # A new article's places go in first: the tracker's triggers (migrations 008, 016)
            # then work out its event once, when its reading follows, instead of once for the
            # reading and again for its main place.
            self._write_places(db, article_id, article_rowid, extraction)
        confidence = extraction.confidence
        db.execute(
            "INSERT INTO extractions (article_id, is_policy, action, scope, event_date,"
            " extractor_version, extracted_at, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(article_id) DO UPDATE SET is_policy = excluded.is_policy,"
            " action = excluded.action, scope = excluded.scope, event_date = excluded.event_date,"
            " extractor_version = excluded.extractor_version, extracted_at = excluded.extracted_at,"
            " confidence = excluded.confidence",
            (
                article_id,
                int(extraction.is_policy),
                extraction.action,
                extraction.scope,
                iso(extraction.event_date),
                extractor_version,
                now,
                None if confidence is None else float(confidence),
            ),
        )
        if not new:
            # A stored article's places are replaced (a new one's went in above).
            (stored_rowid,) = db.execute(
                "SELECT rowid FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            db.execute("DELETE FROM extraction_places WHERE article_rowid = ?", (stored_rowid,))
            self._write_places(db, article_id, stored_rowid, extraction)

    @staticmethod
    def _write_places(
        db: sqlite3.Connection, article_id: str, article_rowid: int, extraction: Extraction
    ) -> None:
        if extraction.places:
            db.executemany(
                INSERT_JURISDICTION,
                [(p.key, p.level, p.name, p.state, p.country) for p in extraction.places],
            )
            # Found by the article's rowid (migration 021), which grows with arrival: an
            # ingest appends to that index instead of landing on a random leaf of it.
            db.executemany(
                "INSERT OR IGNORE INTO extraction_places"
                " (article_id, article_rowid, rank, jurisdiction_key) VALUES (?, ?, ?, ?)",
                [
                    (article_id, article_rowid, rank, place.key)
                    for rank, place in enumerate(extraction.places)
                ],
            )

    async def _ensure_jurisdiction(self, db: aiosqlite.Connection, place: Place) -> None:
        await db.execute(
            INSERT_JURISDICTION,
            (place.key, place.level, place.name, place.state, place.country),
        )

    async def readings_current(self, extractor_version: str) -> bool:
        """Whether every stored article's reading is by ``extractor_version``: counted, not
        looked for article by article. A reading belongs to one stored article (foreign key)
        and to no other reading's article (unique index), so as many current readings as
        articles means none is stale or missing."""
        row = await self._fetchone(
            "SELECT (SELECT count(*) FROM extractions WHERE extractor_version = ?)"
            " = (SELECT count(*) FROM articles)",
            (extractor_version,),
        )
        return bool(row and row[0])

    async def articles_needing_extraction(
        self, extractor_version: str, *, after: str = "", limit: int | None = None
    ) -> list[Article]:
        """Stored articles read by an older extractor (re-read from stored text, no parsing).

        In id order; ``after`` and ``limit`` page through them (ids greater than ``after``, at
        most ``limit``) so that a new extractor need not hold every article in memory at once.
        """
        rows = await self._fetchall(
            "SELECT a.* FROM articles a LEFT JOIN extractions e ON e.article_id = a.id"
            " WHERE (e.extractor_version IS NULL OR e.extractor_version != ?) AND a.id > ?"
            " ORDER BY a.id LIMIT ?",
            (extractor_version, after, -1 if limit is None else limit),
        )
        return [self._article(row) for row in rows]

    async def save_extractions(
        self, results: Sequence[tuple[str, Extraction]], extractor_version: str
    ) -> None:
        """Replace the automatic readings of several articles in one transaction."""
        if results:
            await self._write_sync(self._write_extractions, results, extractor_version, utcnow())

    def _write_extractions(
        self,
        db: sqlite3.Connection,
        results: Sequence[tuple[str, Extraction]],
        extractor_version: str,
        now: str,
    ) -> None:
        for article_id, extraction in results:
            self._write_extraction(db, article_id, extraction, extractor_version, now)
