"""Store methods for corpus files: what was read from each, and writing its articles (new,
updated, merged into a story already stored, or retracted when no file holds them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.corpus import ParsedArticle, normalize_title
from bot.models import Extraction
from bot.store._alerts import lower_scanned_upto
from bot.store._base import BaseStore, iso, parse_datetime, utcnow, value_key
from bot.store._reviews import write_bundled_review
from bot.stories import MAX_CANDIDATES, first_same_story, loose_date_window

REMOVED_FROM_CORPUS = "no longer in the corpus"


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
    ``"touched"`` (the same content under a new size or mtime). ``notes``, when given, holds
    each article's status note (:func:`bot.store._notes.text_note`), by position.
    """

    kind: Literal["articles", "rejected", "touched"]
    path: str
    size: int
    mtime_ns: int
    sha256: str = ""
    articles: Sequence[tuple[ParsedArticle, Extraction]] = ()
    error: str = ""
    notes: Sequence[str | None] = ()


class FileStore(BaseStore):
    """Corpus files and the articles written from them."""

    # Ingest writes go through plain synchronous functions run on the store's plain
    # connection (see BaseStore._write_sync): a file, or a batch of files, is one call instead of
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

    async def rejected_files(self, directory: str) -> list[tuple[str, str]]:
        """The files under ``directory`` whose last reading was refused, with the reason."""
        rows = await self._fetchall(
            "SELECT path, error FROM source_files WHERE error IS NOT NULL AND error != ''"
            " AND substr(path, 1, ?) = ? ORDER BY path",
            (len(directory) + 1, directory.rstrip("/") + "/"),
        )
        return [(row["path"], row["error"]) for row in rows]

    async def corpus_refreshed_at(self, directory: str) -> float | None:
        """When an ingest of ``directory`` last began looking at its files (Unix time)."""
        row = await self._fetchone(
            "SELECT value FROM store_meta WHERE key = ?", (f"corpus_refreshed:{directory}",)
        )
        return float(row[0]) if row else None

    async def mark_corpus_refreshed(self, directory: str, at: float) -> None:
        """Record that every file of ``directory`` as it stood at ``at`` is in the store."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO store_meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"corpus_refreshed:{directory}", repr(at)),
            )

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
        sources: list[tuple[str, int, str, int]] = []
        for position, (parsed, extraction) in enumerate(write.articles):
            parent_id = (
                ids_by_index.get(parsed.parent_index) if parsed.parent_index is not None else None
            )
            previous = previous_at.get(position)
            note = write.notes[position] if position < len(write.notes) else None
            article_id, article_rowid, state = self._upsert_article(
                db,
                parsed,
                extraction,
                extractor_version,
                parent_id,
                origin,
                now,
                owned_here=previous is not None and previous not in ids_by_index.values(),
                previous_owner=previous,
                note=note,
            )
            ids_by_index[position] = article_id
            getattr(outcome, state).append(article_id)
            sources.append((article_id, article_rowid, path, position))
            if parsed.labels is not None:
                write_bundled_review(db, article_id, parsed, now)
        # Nothing above reads article_sources, so one statement at the end writes what one
        # statement an article would.
        # Found by the article's rowid (migration 021), so an ingest appends to that index.
        db.executemany(
            "INSERT OR IGNORE INTO article_sources (article_id, article_rowid, source_path,"
            " position) VALUES (?, ?, ?, ?)",
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
                " LEFT JOIN article_sources s ON s.article_rowid = a.rowid WHERE a.id = ?",
                (article_id,),
            ).fetchone()
            # Moderators' articles stay; the corpora's go with their last file.
            in_corpus = row and row["origin"] in ("corpus", "bundled")
            if in_corpus and not row["sources"] and not row["retracted_at"]:
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
        # canonical URL, a URL variant, the stable id. URLs are found by their 64-bit key
        # (migration 020), then compared whole.
        url = parsed.canonical_url
        row = db.execute(
            "SELECT coalesce("
            " (SELECT id FROM articles WHERE canonical_key = ?2 AND canonical_url = ?1),"
            " (SELECT article_id FROM article_variants"
            "  WHERE value_key = ?2 AND kind = 'url' AND value = ?1 LIMIT 1),"
            " (SELECT id FROM articles WHERE id = ?3))",
            (url, value_key(url) if url else None, stable_id or parsed.stable_id()),
        ).fetchone()
        if row[0]:
            return row[0]
        provider = parsed.provider_domain or parsed.provider_name
        if not provider:
            return None
        window = loose_date_window(parsed.published_at)
        # A provider's articles near the date and its undated ones (all its dated ones when
        # this one is undated), at most MAX_CANDIDATES of each part, the latest first: each
        # part reads a range of an index (migration 009) in its order, with no sort. Then in
        # rowid order, which the first match of the headline check (bot.stories) depends on.
        low, high = window or ("", "9999")
        candidates = db.execute(
            "SELECT * FROM (SELECT rowid, id, title, published_at FROM articles"
            " WHERE provider_domain = ?1 AND published_at BETWEEN ?2 AND ?3"
            " ORDER BY published_at DESC LIMIT ?4)"
            " UNION ALL SELECT * FROM (SELECT rowid, id, title, published_at FROM articles"
            " WHERE provider_domain = ?1 AND published_at IS NULL ORDER BY rowid DESC LIMIT ?4)"
            " UNION ALL SELECT * FROM (SELECT rowid, id, title, published_at FROM articles"
            " WHERE provider_domain IS NULL AND provider_name = ?1"
            " AND published_at BETWEEN ?2 AND ?3 ORDER BY published_at DESC LIMIT ?4)"
            " UNION ALL SELECT * FROM (SELECT rowid, id, title, published_at FROM articles"
            " WHERE provider_domain IS NULL AND provider_name = ?1 AND published_at IS NULL"
            " ORDER BY rowid DESC LIMIT ?4) ORDER BY rowid",
            (provider, low, high, MAX_CANDIDATES),
        )
        return first_same_story(
            parsed,
            (
                (candidate_id, title, parse_datetime(published_at))
                for _, candidate_id, title, published_at in candidates
            ),
        )

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
        note: str | None = None,
    ) -> tuple[str, int, str]:
        """Insert, update or merge one parsed article; returns (id, rowid, outcome name).

        ``previous_owner`` is the article that stood at this place in this file last time
        (``owned_here`` when no earlier item of this parse took it): an edited headline there
        is an update of that article, not a variant of it.
        """
        stable_id = parsed.stable_id()
        existing_id = self._find_same_story(db, parsed, stable_id)
        content_hash = parsed.content_hash()
        published_at = iso(parsed.published_at)
        if existing_id is None:
            article_id = stable_id
            inserted = db.execute(
                "INSERT INTO articles (id, title, excerpt, body, url, canonical_url, canonical_key,"
                " published_at, provider_name, provider_domain, parent_id, origin, content_hash,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    parsed.title,
                    parsed.excerpt,
                    parsed.body,
                    parsed.url,
                    parsed.canonical_url,
                    value_key(parsed.canonical_url) if parsed.canonical_url else None,
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
            article_rowid = inserted.lastrowid
            assert article_rowid is not None
            # A new article has no text row to replace.
            self._index_text(db, article_rowid, article_id, parsed, replace=False)
            self._write_extraction(
                db, article_id, extraction, extractor_version, now, article_rowid=article_rowid
            )
            self._write_note(db, article_id, parsed, extraction, note)
            self._add_variants(db, article_id, article_rowid, parsed)
            return article_id, article_rowid, "new"

        row = db.execute(
            "SELECT rowid, canonical_url, title, content_hash, retracted_reason, published_at,"
            " provider_domain, provider_name FROM articles WHERE id = ?",
            (existing_id,),
        ).fetchone()
        assert row is not None
        self._add_variants(db, existing_id, row["rowid"], parsed)
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
            return existing_id, row["rowid"], "merged"
        if row["content_hash"] == content_hash:
            return existing_id, row["rowid"], "unchanged"
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
        self._write_note(db, existing_id, parsed, extraction, note)
        return existing_id, row["rowid"], "updated"

    def _add_variants(
        self, db: sqlite3.Connection, article_id: str, article_rowid: int, parsed: ParsedArticle
    ) -> None:
        rows = [(article_id, article_rowid, "title", parsed.title, value_key(parsed.title))]
        urls = [parsed.url, *parsed.variant_urls, parsed.canonical_url]
        rows += [(article_id, article_rowid, "url", url, value_key(url)) for url in urls if url]
        # Unique by (article_rowid, kind, value_key): a variant already known is not added
        # again. Keyed by the article's rowid (migration 021), which grows with arrival, so an
        # ingest appends to the index instead of landing on a random leaf of it.
        db.executemany(
            "INSERT OR IGNORE INTO article_variants"
            " (article_id, article_rowid, kind, value, value_key) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
