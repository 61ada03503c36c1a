"""Store methods for the corpus: articles, their sources and variants, extractions, corrections."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import aiosqlite
from rapidfuzz import fuzz

from bot.corpus import ParsedArticle, normalize_title
from bot.models import Article, AuditEntry, Correction, Extraction, Place
from bot.store._alerts import lower_scanned_upto
from bot.store._base import BaseStore, utcnow
from bot.summary import NOTE_VERSION, event_note

# Headlines from the same provider this similar (0-100) are the same story.
SAME_STORY_TITLE_SCORE = 90
# ... when published this close together.
SAME_STORY_WINDOW = dt.timedelta(days=3)

REMOVED_FROM_CORPUS = "no longer in the corpus"

# A search ranks at most this many of the latest matching articles ...
SEARCH_RANKED = 2000
# ... and reads this many more than it shows, in case some of the best were retracted.
SEARCH_MARGIN = 40

INSERT_JURISDICTION = (
    "INSERT OR IGNORE INTO jurisdictions (key, level, name, state, country) VALUES (?, ?, ?, ?, ?)"
)


@dataclass(slots=True)
class SourceFile:
    """What the store remembers of a corpus file, to skip it when unchanged."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    error: str | None


@dataclass(slots=True)
class FileOutcome:
    """What recording one parsed file did to the articles table."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    retracted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FileWrite:
    """What ingest writes for one corpus file; :meth:`ArticleStore.record_files` takes a batch.

    ``kind`` is ``"articles"`` (the file's articles, each with its extraction), ``"rejected"``
    (the file is unusable, ``error`` says why, and the articles it held stay as they were) or
    ``"touched"`` (the same content under a new size or mtime).
    """

    kind: Literal["articles", "rejected", "touched"]
    path: str
    size: int
    mtime_ns: int
    sha256: str = ""
    articles: Sequence[tuple[ParsedArticle, Extraction]] = ()
    error: str = ""


# Who stands behind a bundled item's reviewed reading, in corrections and reviews.
BUNDLED_REVIEWER = "bundled"

# A status note (migration 012) of the current NOTE_VERSION, replacing any older one.
_SAVE_NOTE = "INSERT OR REPLACE INTO article_notes (article_id, version, note) VALUES (?, ?, ?)"


def _note_row(article_id: str, title: str, excerpt: str, body: str) -> tuple[str, int, str]:
    """The ``_SAVE_NOTE`` parameters for an article's text."""
    text = Article(id=article_id, title=title, excerpt=excerpt, body=body)
    return article_id, NOTE_VERSION, event_note(text)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class ArticleStore(BaseStore):
    """Corpus and tracker queries. All SQL about articles lives here."""

    # -- source files -------------------------------------------------------------------------
    #
    # Ingest writes go through plain synchronous functions that run on the database thread
    # (see BaseStore._write_sync): a file, or a batch of files, is one queued call instead of
    # a dozen awaits per article. They take the sqlite3 connection as ``db``.

    async def source_file(self, path: str) -> SourceFile | None:
        """What was recorded about ``path`` at the last ingest."""
        row = await self._fetchone(
            "SELECT path, size, mtime_ns, sha256, error FROM source_files WHERE path = ?", (path,)
        )
        if row is None:
            return None
        return SourceFile(row["path"], row["size"], row["mtime_ns"], row["sha256"], row["error"])

    async def source_files(self) -> dict[str, SourceFile]:
        """Everything recorded about corpus files, by path: one query instead of one a file."""
        rows = await self._fetchall("SELECT path, size, mtime_ns, sha256, error FROM source_files")
        return {
            row["path"]: SourceFile(
                row["path"], row["size"], row["mtime_ns"], row["sha256"], row["error"]
            )
            for row in rows
        }

    async def source_paths(self) -> list[str]:
        """Every corpus file path seen so far."""
        rows = await self._fetchall("SELECT path FROM source_files ORDER BY path")
        return [row["path"] for row in rows]

    async def touch_source_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Remember a new mtime for a file whose content did not change."""
        await self.record_files([FileWrite("touched", path, size, mtime_ns)], "")

    async def record_rejected_file(
        self, path: str, size: int, mtime_ns: int, sha256: str, error: str
    ) -> None:
        """Remember that a file is unreadable, so an unchanged bad file is not re-parsed.

        Articles it held before stay as they were: a broken edit loses nothing.
        """
        await self.record_files(
            [FileWrite("rejected", path, size, mtime_ns, sha256, error=error)], ""
        )

    async def record_file(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        sha256: str,
        articles: Sequence[tuple[ParsedArticle, Extraction]],
        extractor_version: str,
        origin: str = "corpus",
    ) -> FileOutcome:
        """Store the articles read from one file in one transaction, deduplicating stories."""
        [outcome] = await self.record_files(
            [FileWrite("articles", path, size, mtime_ns, sha256, articles)],
            extractor_version,
            origin,
        )
        return outcome

    async def record_files(
        self,
        writes: Sequence[FileWrite],
        extractor_version: str,
        origin: str = "corpus",
    ) -> list[FileOutcome]:
        """Record several files in ONE transaction, each file inside its own savepoint.

        Files are written in order, exactly as one :meth:`record_file` call after another
        would write them. If writing one raises, that file is rolled back whole, the files
        before it are committed and the exception is re-raised: the files from the failing
        one on are left for the next ingest, none half-written. Returns one outcome a file
        (empty for rejected and touched files).
        """
        if not writes:
            return []
        outcomes, failure = await self._write_sync(
            self._write_files, writes, extractor_version, origin
        )
        if failure is not None:
            raise failure
        return outcomes

    def _write_files(
        self,
        db: sqlite3.Connection,
        writes: Sequence[FileWrite],
        extractor_version: str,
        origin: str,
    ) -> tuple[list[FileOutcome], BaseException | None]:
        outcomes: list[FileOutcome] = []
        for write in writes:
            db.execute("SAVEPOINT source_file")
            try:
                outcomes.append(self._write_file(db, write, extractor_version, origin, utcnow()))
            except BaseException as exc:
                if not db.in_transaction:
                    raise  # SQLite already rolled everything back (a full disk, say)
                db.execute("ROLLBACK TO source_file")
                db.execute("RELEASE source_file")
                return outcomes, exc
            db.execute("RELEASE source_file")
        return outcomes, None

    def _write_file(
        self,
        db: sqlite3.Connection,
        write: FileWrite,
        extractor_version: str,
        origin: str,
        now: str,
    ) -> FileOutcome:
        outcome = FileOutcome()
        if write.kind == "touched":
            db.execute(
                "UPDATE source_files SET size = ?, mtime_ns = ? WHERE path = ?",
                (write.size, write.mtime_ns, write.path),
            )
            return outcome
        if write.kind == "rejected":
            db.execute(
                "INSERT INTO source_files (path, size, mtime_ns, sha256, ingested_at, error)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,"
                " ingested_at = excluded.ingested_at, error = excluded.error",
                (write.path, write.size, write.mtime_ns, write.sha256, now, write.error),
            )
            return outcome
        path = write.path
        previous_at: dict[int, str] = {
            position: article_id
            for position, article_id in db.execute(
                "SELECT position, article_id FROM article_sources WHERE source_path = ?", (path,)
            )
        }
        if previous_at:
            db.execute("DELETE FROM article_sources WHERE source_path = ?", (path,))
        ids_by_index: dict[int, str] = {}
        sources: list[tuple[str, str, int]] = []
        for position, (parsed, extraction) in enumerate(write.articles):
            parent_id = (
                ids_by_index.get(parsed.parent_index) if parsed.parent_index is not None else None
            )
            previous = previous_at.get(position)
            article_id, state = self._upsert_article(
                db,
                parsed,
                extraction,
                extractor_version,
                parent_id,
                origin,
                now,
                owned_here=previous is not None and previous not in ids_by_index.values(),
                previous_owner=previous,
            )
            ids_by_index[position] = article_id
            getattr(outcome, state).append(article_id)
            sources.append((article_id, path, position))
            if parsed.labels is not None:
                self._write_bundled_review(db, article_id, parsed, now)
        # Nothing above reads article_sources, so one statement at the end writes what one
        # statement an article would.
        db.executemany(
            "INSERT OR IGNORE INTO article_sources (article_id, source_path, position)"
            " VALUES (?, ?, ?)",
            sources,
        )
        outcome.retracted = self._retract_orphans(db, set(previous_at.values()), now)
        db.execute(
            "INSERT INTO source_files (path, size, mtime_ns, sha256, ingested_at, error)"
            " VALUES (?, ?, ?, ?, ?, NULL)"
            " ON CONFLICT(path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,"
            " ingested_at = excluded.ingested_at, error = NULL",
            (path, write.size, write.mtime_ns, write.sha256, now),
        )
        return outcome

    @staticmethod
    def _write_bundled_review(
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
            _iso(labels.event_date),
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
                _note_row(article_id, parsed.title, parsed.excerpt, parsed.body),
            )

    async def forget_source_file(self, path: str) -> list[str]:
        """A corpus file was deleted: retract the articles that only it held."""
        return await self.forget_source_files([path])

    async def forget_source_files(self, paths: Sequence[str]) -> list[str]:
        """Several corpus files were deleted: one transaction, retracted ids in path order."""
        if not paths:
            return []
        return await self._write_sync(self._forget_source_files, paths, utcnow())

    def _forget_source_files(
        self, db: sqlite3.Connection, paths: Sequence[str], now: str
    ) -> list[str]:
        retracted: list[str] = []
        for path in paths:
            previous = {
                article_id
                for (article_id,) in db.execute(
                    "SELECT article_id FROM article_sources WHERE source_path = ?", (path,)
                )
            }
            db.execute("DELETE FROM article_sources WHERE source_path = ?", (path,))
            db.execute("DELETE FROM source_files WHERE path = ?", (path,))
            retracted.extend(self._retract_orphans(db, previous, now))
        return retracted

    def _retract_orphans(
        self, db: sqlite3.Connection, candidates: Iterable[str], now: str
    ) -> list[str]:
        retracted = []
        for article_id in sorted(candidates):
            row = db.execute(
                "SELECT a.origin, a.retracted_at, COUNT(s.article_id) AS sources FROM articles a"
                " LEFT JOIN article_sources s ON s.article_id = a.id WHERE a.id = ?",
                (article_id,),
            ).fetchone()
            if row and row["origin"] == "corpus" and not row["sources"] and not row["retracted_at"]:
                db.execute(
                    "UPDATE articles SET retracted_at = ?, retracted_reason = ? WHERE id = ?",
                    (now, REMOVED_FROM_CORPUS, article_id),
                )
                retracted.append(article_id)
        return retracted

    def _find_same_story(
        self,
        db: sqlite3.Connection,
        parsed: ParsedArticle,
        stable_id: str | None = None,
    ) -> str | None:
        """The id of a stored article that is this story, by URL, variant URL or headline."""
        # One statement for the three exact checks, in their order of precedence: the
        # canonical URL, a URL variant, the stable id.
        url = parsed.canonical_url
        row = db.execute(
            "SELECT coalesce((SELECT id FROM articles WHERE canonical_url = ?),"
            " (SELECT article_id FROM article_variants WHERE kind = 'url' AND value = ? LIMIT 1),"
            " (SELECT id FROM articles WHERE id = ?))",
            (url, url, stable_id or parsed.stable_id()),
        ).fetchone()
        if row[0]:
            return row[0]
        provider = parsed.provider_domain or parsed.provider_name
        if not provider:
            return None
        low = high = None
        if parsed.published_at is not None:
            # A loose cut on the ISO text (a day's margin covers any UTC offset); the exact
            # window is checked below on parsed dates.
            margin = SAME_STORY_WINDOW + dt.timedelta(days=1)
            low = (parsed.published_at - margin).isoformat()
            high = (parsed.published_at + margin).isoformat()
        # A provider's articles, and among them those near the date (or undated), each part
        # a range of an index (migration 009); in rowid order, which the first match of the
        # headline check below depends on.
        if low is None:
            candidates = db.execute(
                "SELECT rowid, id, title, published_at FROM articles WHERE provider_domain = ?1"
                " UNION ALL SELECT rowid, id, title, published_at FROM articles"
                " WHERE provider_domain IS NULL AND provider_name = ?1 ORDER BY rowid",
                (provider,),
            )
        else:
            candidates = db.execute(
                "SELECT rowid, id, title, published_at FROM articles"
                " WHERE provider_domain = ?1 AND published_at BETWEEN ?2 AND ?3"
                " UNION ALL SELECT rowid, id, title, published_at FROM articles"
                " WHERE provider_domain = ?1 AND published_at IS NULL"
                " UNION ALL SELECT rowid, id, title, published_at FROM articles"
                " WHERE provider_domain IS NULL AND provider_name = ?1"
                " AND (published_at IS NULL OR published_at BETWEEN ?2 AND ?3) ORDER BY rowid",
                (provider, low, high),
            )
        wanted = None  # normalised only if some candidate is close enough in time
        for _, candidate_id, title, published_at in candidates:
            published = _datetime(published_at)
            too_far_apart = (
                parsed.published_at is not None
                and published is not None
                and abs(parsed.published_at - published) > SAME_STORY_WINDOW
            )
            if too_far_apart:
                continue
            if wanted is None:
                wanted = normalize_title(parsed.title)
            score = fuzz.token_sort_ratio(
                wanted, normalize_title(title), score_cutoff=SAME_STORY_TITLE_SCORE
            )
            if score >= SAME_STORY_TITLE_SCORE:
                return candidate_id
        return None

    def _upsert_article(
        self,
        db: sqlite3.Connection,
        parsed: ParsedArticle,
        extraction: Extraction,
        extractor_version: str,
        parent_id: str | None,
        origin: str,
        now: str,
        owned_here: bool = False,
        previous_owner: str | None = None,
    ) -> tuple[str, str]:
        """Insert, update or merge one parsed article; returns (id, outcome name).

        ``previous_owner`` is the article that stood at this place in this file last time
        (``owned_here`` when no earlier item of this parse took it): an edited headline there
        is an update of that article, not a variant of it.
        """
        stable_id = parsed.stable_id()
        existing_id = self._find_same_story(db, parsed, stable_id)
        content_hash = parsed.content_hash()
        published_at = _iso(parsed.published_at)
        if existing_id is None:
            article_id = stable_id
            inserted = db.execute(
                "INSERT INTO articles (id, title, excerpt, body, url, canonical_url, published_at,"
                " provider_name, provider_domain, parent_id, origin, content_hash, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    parsed.title,
                    parsed.excerpt,
                    parsed.body,
                    parsed.url,
                    parsed.canonical_url,
                    published_at,
                    parsed.provider_name,
                    parsed.provider_domain,
                    parent_id,
                    origin,
                    content_hash,
                    now,
                    now,
                ),
            )
            # A new article has no text row to replace.
            self._index_text(db, inserted.lastrowid, article_id, parsed, replace=False)
            self._write_extraction(db, article_id, extraction, extractor_version, now, new=True)
            self._write_note(db, article_id, parsed, extraction)
            self._add_variants(db, article_id, parsed)
            return article_id, "new"

        row = db.execute(
            "SELECT rowid, canonical_url, title, content_hash, retracted_reason, published_at,"
            " provider_domain, provider_name FROM articles WHERE id = ?",
            (existing_id,),
        ).fetchone()
        assert row is not None
        self._add_variants(db, existing_id, parsed)
        if row["retracted_reason"] == REMOVED_FROM_CORPUS:
            db.execute(
                "UPDATE articles SET retracted_at = NULL, retracted_reason = NULL WHERE id = ?",
                (existing_id,),
            )
            lower_scanned_upto(db, existing_id, row["rowid"])
        same_url = parsed.canonical_url == row["canonical_url"] or (
            parsed.canonical_url is None and stable_id == existing_id
        )
        owned_here = owned_here and previous_owner == existing_id
        is_primary_version = same_url and (
            owned_here or normalize_title(parsed.title) == normalize_title(row["title"])
        )
        if not is_primary_version:
            # Another version of a story already stored: remembered as a variant only.
            return existing_id, "merged"
        if row["content_hash"] == content_hash:
            return existing_id, "unchanged"
        db.execute(
            "UPDATE articles SET title = ?, excerpt = ?, body = ?, url = ?, published_at = ?,"
            " provider_name = ?, provider_domain = ?, parent_id = coalesce(?, parent_id),"
            " content_hash = ?, updated_at = ? WHERE id = ?",
            (
                parsed.title,
                parsed.excerpt,
                parsed.body,
                parsed.url,
                published_at,
                parsed.provider_name,
                parsed.provider_domain,
                parent_id,
                content_hash,
                now,
                existing_id,
            ),
        )
        self._index_text(db, row["rowid"], existing_id, parsed)
        self._write_extraction(db, existing_id, extraction, extractor_version, now)
        self._write_note(db, existing_id, parsed, extraction)
        return existing_id, "updated"

    @staticmethod
    def _write_note(
        db: sqlite3.Connection, article_id: str, parsed: ParsedArticle, extraction: Extraction
    ) -> None:
        """Store the status note of a policy item's (new) text (see migration 012). Other
        items get one only if asked for: most never are, and it costs ~0.15 ms each."""
        if not extraction.is_policy:
            return
        db.execute(_SAVE_NOTE, _note_row(article_id, parsed.title, parsed.excerpt, parsed.body))

    async def events_needing_notes(self, *, after: str = "", limit: int = 100) -> list[str]:
        """Ids of policy items in the tracker (place_events) without a current stored note,
        in id order after ``after``: items stored before notes were, made policy news by a
        correction, or noted by an older NOTE_VERSION."""
        rows = await self._fetchall(
            "SELECT p.article_id FROM place_events p WHERE p.article_id > ?"
            " AND NOT EXISTS (SELECT 1 FROM article_notes n"
            "   WHERE n.article_id = p.article_id AND n.version = ?)"
            " ORDER BY p.article_id LIMIT ?",
            (after, NOTE_VERSION, limit),
        )
        return [row[0] for row in rows]

    async def save_notes(self, notes: dict[str, str]) -> None:
        """Store status notes (current NOTE_VERSION) by article id."""
        rows = [(article_id, NOTE_VERSION, note) for article_id, note in notes.items()]
        if rows:
            async with self.transaction() as db:
                await db.executemany(_SAVE_NOTE, rows)

    async def article_notes(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The stored, current notes of these articles (those without one are left out)."""
        ids = list(dict.fromkeys(article_ids))[:500]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._fetchall(
            f"SELECT article_id, note FROM article_notes WHERE article_id IN ({marks})"
            " AND version = ?",
            [*ids, NOTE_VERSION],
        )
        return {row[0]: row[1] for row in rows}

    def _add_variants(self, db: sqlite3.Connection, article_id: str, parsed: ParsedArticle) -> None:
        rows = [(article_id, "title", parsed.title)]
        for url in [parsed.url, *parsed.variant_urls]:
            if url:
                rows.append((article_id, "url", url))
        if parsed.canonical_url:
            rows.append((article_id, "url", parsed.canonical_url))
        db.executemany(
            "INSERT OR IGNORE INTO article_variants (article_id, kind, value) VALUES (?, ?, ?)",
            rows,
        )

    @staticmethod
    def _index_text(
        db: sqlite3.Connection,
        rowid: int | None,
        article_id: str,
        parsed: ParsedArticle,
        *,
        replace: bool = True,
    ) -> None:
        """Write the article's text row: its rowid is the article's (migration 015)."""
        if replace:
            db.execute("DELETE FROM articles_fts WHERE rowid = ?", (rowid,))
        db.execute(
            "INSERT INTO articles_fts (rowid, article_id, title, excerpt, body)"
            " VALUES (?, ?, ?, ?, ?)",
            (rowid, article_id, parsed.title, parsed.excerpt, parsed.body),
        )

    def _write_extraction(
        self,
        db: sqlite3.Connection,
        article_id: str,
        extraction: Extraction,
        extractor_version: str,
        now: str,
        *,
        new: bool = False,
    ) -> None:
        """Replace the automatic reading of an article (``new``: it has none yet)."""
        db.execute(
            "INSERT INTO extractions (article_id, is_policy, action, scope, event_date,"
            " extractor_version, extracted_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(article_id) DO UPDATE SET is_policy = excluded.is_policy,"
            " action = excluded.action, scope = excluded.scope, event_date = excluded.event_date,"
            " extractor_version = excluded.extractor_version, extracted_at = excluded.extracted_at",
            (
                article_id,
                int(extraction.is_policy),
                extraction.action,
                extraction.scope,
                _iso(extraction.event_date),
                extractor_version,
                now,
            ),
        )
        confidence = getattr(extraction, "confidence", None)
        if confidence is not None:
            db.execute(
                "INSERT OR REPLACE INTO extraction_confidence (article_id, confidence)"
                " VALUES (?, ?)",
                (article_id, float(confidence)),
            )
        elif not new:
            db.execute("DELETE FROM extraction_confidence WHERE article_id = ?", (article_id,))
        if not new:
            # A new article has no places yet: its row was inserted a moment ago, and the
            # foreign key keeps places from outliving an article.
            db.execute("DELETE FROM extraction_places WHERE article_id = ?", (article_id,))
        if extraction.places:
            db.executemany(
                INSERT_JURISDICTION,
                [(p.key, p.level, p.name, p.state, p.country) for p in extraction.places],
            )
            db.executemany(
                "INSERT OR IGNORE INTO extraction_places (article_id, rank, jurisdiction_key)"
                " VALUES (?, ?, ?)",
                [(article_id, rank, place.key) for rank, place in enumerate(extraction.places)],
            )

    async def _ensure_jurisdiction(self, db: aiosqlite.Connection, place: Place) -> None:
        await db.execute(
            INSERT_JURISDICTION,
            (place.key, place.level, place.name, place.state, place.country),
        )

    # -- extraction ---------------------------------------------------------------------------

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

    # -- reading articles ---------------------------------------------------------------------

    def _article(self, row: aiosqlite.Row, extraction: Extraction | None = None) -> Article:
        return Article(
            id=row["id"],
            title=row["title"],
            excerpt=row["excerpt"],
            body=row["body"],
            url=row["url"],
            published_at=_datetime(row["published_at"]),
            provider_name=row["provider_name"],
            provider_domain=row["provider_domain"],
            parent_id=row["parent_id"],
            origin=row["origin"],
            retracted=row["retracted_at"] is not None,
            extraction=extraction,
        )

    async def _effective_extractions(
        self, article_ids: Sequence[str], reviews: dict[str, str] | None = None
    ) -> dict[str, Extraction]:
        """The reading of each article with corrections applied over the automatic one, with
        the extractor's confidence; ``reviews`` gets the review state of reviewed ones."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self._fetchall(
            f"SELECT e.article_id, e.is_policy, e.action, e.scope, e.event_date,"
            f" c.is_policy AS c_is_policy, c.action AS c_action, c.scope AS c_scope,"
            f" c.event_date AS c_event_date, c.jurisdiction_key AS c_place,"
            f" k.confidence, r.state AS review"
            f" FROM extractions e LEFT JOIN corrections c ON c.article_id = e.article_id"
            f" LEFT JOIN extraction_confidence k ON k.article_id = e.article_id"
            f" LEFT JOIN reviews r ON r.article_id = e.article_id"
            f" WHERE e.article_id IN ({marks})",
            article_ids,
        )
        place_rows = await self._fetchall(
            f"SELECT article_id, jurisdiction_key FROM extraction_places"
            f" WHERE article_id IN ({marks}) ORDER BY article_id, rank",
            article_ids,
        )
        places: dict[str, list[Place]] = {}
        for row in place_rows:
            places.setdefault(row["article_id"], []).append(Place.from_key(row["jurisdiction_key"]))
        result = {}
        for row in rows:
            action = row["c_action"] or row["action"]
            if row["c_is_policy"] is not None:
                is_policy = bool(row["c_is_policy"])
                if not is_policy:
                    action = "none"
            else:
                is_policy = action != "none"
            article_places = places.get(row["article_id"], [])
            if row["c_place"]:
                corrected = Place.from_key(row["c_place"])
                article_places = [corrected, *(p for p in article_places if p != corrected)]
            result[row["article_id"]] = Extraction(
                is_policy=is_policy,
                action=action,
                scope=row["c_scope"] or row["scope"],
                event_date=_date(row["c_event_date"] or row["event_date"]),
                places=tuple(article_places),
                confidence=row["confidence"],
            )
            if reviews is not None and row["review"]:
                reviews[row["article_id"]] = row["review"]
        return result

    async def _articles_with_extraction(
        self, rows: Sequence[aiosqlite.Row], *, variants: bool = True
    ) -> list[Article]:
        """Articles with their effective readings and, if ``variants``, their other URLs
        (lists of articles show none: a search at 100,000 articles read five more pages
        for them, from the disk where the OS had dropped them)."""
        reviews: dict[str, str] = {}
        extractions = await self._effective_extractions([row["id"] for row in rows], reviews)
        articles = [self._article(row, extractions.get(row["id"])) for row in rows]
        for article in articles:
            article.review = reviews.get(article.id)
        if articles and variants:
            marks = ",".join("?" * len(articles))
            # Sorted here: an ORDER BY value lets SQLite pick the (kind, value) index and walk
            # every URL variant in the corpus instead of these articles' few.
            variant_rows = await self._fetchall(
                f"SELECT article_id, value FROM article_variants"
                f" WHERE article_id IN ({marks}) AND kind = 'url'",
                [article.id for article in articles],
            )
            by_id = {article.id: article for article in articles}
            for row in sorted(variant_rows, key=lambda row: row["value"]):
                by_id[row["article_id"]].variants.append(row["value"])
        return articles

    async def get_article(self, article_id: str) -> Article | None:
        """One article with its effective reading, or None."""
        row = await self._fetchone("SELECT * FROM articles WHERE id = ?", (article_id.strip(),))
        if row is None:
            return None
        return (await self._articles_with_extraction([row]))[0]

    async def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """Several articles with their effective readings, by id (unknown ids left out)."""
        found: dict[str, Article] = {}
        ids = list(dict.fromkeys(article_ids))
        # In slices, to stay under SQLite's limit on bound parameters.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._fetchall(
                f"SELECT * FROM articles WHERE id IN ({marks})",
                chunk,
            )
            for article in await self._articles_with_extraction(rows):
                found[article.id] = article
        return found

    async def article_titles(self, article_id: str) -> list[str]:
        """Every headline the story arrived under."""
        rows = await self._fetchall(
            "SELECT value FROM article_variants WHERE article_id = ? AND kind = 'title'"
            " ORDER BY value",
            (article_id,),
        )
        return [row["value"] for row in rows]

    async def count_articles(self, *, include_retracted: bool = False) -> int:
        """How many articles the corpus holds."""
        sql = "SELECT COUNT(*) FROM articles"
        if not include_retracted:
            sql += " WHERE retracted_at IS NULL"
        row = await self._fetchone(sql)
        return int(row[0]) if row else 0

    async def all_articles(self, *, include_retracted: bool = False) -> list[Article]:
        """Every article with its reading, newest first."""
        where = "" if include_retracted else "WHERE retracted_at IS NULL"
        rows = await self._fetchall(
            f"SELECT * FROM articles {where} ORDER BY published_at DESC, id"
        )
        return await self._articles_with_extraction(rows)

    async def merge_text_index(self) -> None:
        """Merge the full-text index's segments into one (FTS5 'optimize')."""
        async with self.transaction() as db:
            await db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")

    async def search_articles(self, query: str, limit: int = 10) -> list[Article]:
        """Full-text search over titles, excerpts and bodies, best match first.

        Ranks (title ten times the body, excerpt three times) the latest
        ``SEARCH_RANKED`` matching articles to arrive: a word most articles contain would
        otherwise rank the whole corpus on every search, and for news the recent ones are
        what is wanted. Words found in fewer articles are ranked over all of them. The
        articles come without their other URLs (``variants``; :meth:`get_article` has them).
        """
        terms = [term.replace('"', "") for term in query.split()]
        terms = [term for term in terms if term]
        if not terms:
            return []
        # Each word quoted: user text never becomes FTS5 syntax (NEAR, OR, column filters).
        match = " ".join(f'"{term}"' for term in terms[:20])
        rows = await self._run_sync(_search_rows, match, limit)
        return await self._articles_with_extraction(rows, variants=False)

    async def latest_articles(
        self,
        *,
        since: dt.datetime | None = None,
        place_keys: Sequence[str] | None = None,
        policy_only: bool = False,
        limit: int = 10,
    ) -> list[Article]:
        """Newest articles, optionally since a time, about some places, policy only.

        Filtered and cut in SQL, walking the publication-date index from the newest: only
        the articles shown are read in full (without their other URLs, as in a search).
        """
        sql = "SELECT a.* FROM articles a"
        where = ["a.retracted_at IS NULL"]
        params: list[object] = []
        if policy_only:
            # The effective reading's is_policy (a correction wins), as _effective_extractions.
            sql += (
                " JOIN extractions e ON e.article_id = a.id"
                " LEFT JOIN corrections c ON c.article_id = a.id"
            )
            where.append(
                "coalesce(c.is_policy, coalesce(nullif(c.action, ''), e.action) != 'none')"
            )
        if place_keys is not None:
            if not place_keys:
                return []
            marks = ",".join("?" * len(place_keys))
            where.append(
                f"a.id IN (SELECT article_id FROM extraction_places"
                f" WHERE jurisdiction_key IN ({marks})"
                f" UNION SELECT article_id FROM corrections WHERE jurisdiction_key IN ({marks}))"
            )
            params.extend(place_keys)
            params.extend(place_keys)
        if since is not None:
            where.append("a.published_at >= ?")
            params.append(since.isoformat())
        sql += " WHERE " + " AND ".join(where)
        # Dated articles newest first (the index's order), then undated ones if room is left:
        # one ORDER BY putting NULLs last could not use the index and sorted every match.
        rows = await self._fetchall(
            sql + " AND a.published_at IS NOT NULL ORDER BY a.published_at DESC, a.id LIMIT ?",
            [*params, limit],
        )
        if len(rows) < limit and since is None:
            rows += await self._fetchall(
                sql + " AND a.published_at IS NULL ORDER BY a.id LIMIT ?",
                [*params, limit - len(rows)],
            )
        return await self._articles_with_extraction(rows, variants=False)

    # -- moderator changes --------------------------------------------------------------------

    async def save_correction(self, correction: Correction, extra_place: Place | None) -> None:
        """Store (or extend) a moderator's correction; it wins over the extractor from now on."""
        async with self.transaction() as db:
            if extra_place is not None:
                await self._ensure_jurisdiction(db, extra_place)
            await db.execute(
                "INSERT INTO corrections (article_id, is_policy, action, scope, event_date,"
                " jurisdiction_key, corrected_by, corrected_at, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE SET"
                " is_policy = coalesce(excluded.is_policy, is_policy),"
                " action = coalesce(excluded.action, action),"
                " scope = coalesce(excluded.scope, scope),"
                " event_date = coalesce(excluded.event_date, event_date),"
                " jurisdiction_key = coalesce(excluded.jurisdiction_key, jurisdiction_key),"
                " corrected_by = excluded.corrected_by, corrected_at = excluded.corrected_at,"
                " note = coalesce(excluded.note, note)",
                (
                    correction.article_id,
                    None if correction.is_policy is None else int(correction.is_policy),
                    correction.action,
                    correction.scope,
                    _iso(correction.event_date),
                    correction.place_key,
                    correction.corrected_by,
                    correction.corrected_at,
                    correction.note,
                ),
            )
            # A correction can make an item policy news: it gets its status note now, as an
            # ingested one does (the ingest's own look for missing notes runs after upgrades).
            row = await self._row(
                db,
                "SELECT a.title, a.excerpt, a.body FROM place_events p"
                " JOIN articles a ON a.id = p.article_id WHERE p.article_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM article_notes n"
                "   WHERE n.article_id = p.article_id AND n.version = ?)",
                (correction.article_id, NOTE_VERSION),
            )
            if row is not None:
                await db.execute(_SAVE_NOTE, _note_row(correction.article_id, *row))

    async def notes_complete(self) -> bool:
        """Whether every tracked policy item was given a note of the current NOTE_VERSION
        (a whole pass of :meth:`events_needing_notes` was made at this version)."""
        row = await self._fetchone("SELECT value FROM store_meta WHERE key = 'notes_version'")
        return row is not None and row[0] == str(NOTE_VERSION)

    async def mark_notes_complete(self) -> None:
        """Record that every tracked policy item has a note of the current NOTE_VERSION."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO store_meta (key, value) VALUES ('notes_version', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(NOTE_VERSION),),
            )

    async def get_correction(self, article_id: str) -> Correction | None:
        """The moderator's correction of an article, if any."""
        row = await self._fetchone("SELECT * FROM corrections WHERE article_id = ?", (article_id,))
        if row is None:
            return None
        return Correction(
            article_id=row["article_id"],
            corrected_by=row["corrected_by"],
            corrected_at=row["corrected_at"],
            is_policy=None if row["is_policy"] is None else bool(row["is_policy"]),
            action=row["action"],
            scope=row["scope"],
            event_date=_date(row["event_date"]),
            place_key=row["jurisdiction_key"],
            note=row["note"],
        )

    async def retract_article(self, article_id: str, reason: str) -> bool:
        """Hide an article from every answer (kept for the audit trail). False if unknown."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE articles SET retracted_at = ?, retracted_reason = ?"
                " WHERE id = ? AND retracted_at IS NULL",
                (utcnow(), reason, article_id),
            )
            return cursor.rowcount > 0

    # -- audit log ----------------------------------------------------------------------------

    async def record_audit(
        self,
        *,
        actor_id: str,
        action: str,
        target: str | None = None,
        detail: dict[str, object] | str | None = None,
        guild_id: str | None = None,
    ) -> None:
        """Append one moderator action to the audit log."""
        text = (
            json.dumps(detail, sort_keys=True, default=str) if isinstance(detail, dict) else detail
        )
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO audit_log (at, guild_id, actor_id, action, target, detail)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (utcnow(), guild_id, actor_id, action, target, text),
            )

    async def audit_entries(self, guild_id: str | None = None, limit: int = 50) -> list[AuditEntry]:
        """The latest audit entries, for one guild or all."""
        if guild_id is None:
            rows = await self._fetchall(
                "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
            )
        else:
            rows = await self._fetchall(
                "SELECT * FROM audit_log WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
                (guild_id, limit),
            )
        return [
            AuditEntry(
                row["id"],
                row["at"],
                row["guild_id"],
                row["actor_id"],
                row["action"],
                row["target"],
                row["detail"],
            )
            for row in rows
        ]


def _search_rows(connection: sqlite3.Connection, match: str, limit: int) -> list[sqlite3.Row]:
    """The article rows of the best ``limit`` matches, best first (on the database thread).

    Ranked inside the index on rowids alone (a text row's rowid is its article's, migration
    015); then only the best articles are read, ``limit`` at a time, by rowid. Retracted
    articles keep their text rows, so a margin is ranked beyond the limit.
    """
    ranked = [
        row[0]
        for row in connection.execute(
            "SELECT rowid FROM ("
            "  SELECT rowid, bm25(articles_fts, 0, 10.0, 3.0, 1.0) AS score"
            "  FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?"
            ") ORDER BY score, rowid DESC LIMIT ?",
            (match, SEARCH_RANKED, limit + SEARCH_MARGIN),
        )
    ]
    found: list[sqlite3.Row] = []
    for start in range(0, len(ranked), limit):
        chunk = ranked[start : start + limit]
        marks = ",".join("?" * len(chunk))
        by_rowid = {
            row["rowid"]: row
            for row in connection.execute(
                f"SELECT rowid, * FROM articles WHERE rowid IN ({marks}) AND retracted_at IS NULL",
                chunk,
            )
        }
        found += [by_rowid[rowid] for rowid in chunk if rowid in by_rowid]
        if len(found) >= limit:
            break
    return found[:limit]
