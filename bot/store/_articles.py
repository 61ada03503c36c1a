"""Store methods for reading articles; :class:`ArticleStore` gathers every article part.

The parts, one job each: ``_files`` (corpus files and writing their articles), ``_readings``
(the extractor's readings), ``_notes`` (status notes), ``_search`` (the full-text index),
``_corrections`` (moderators' corrections and retractions) and ``_audit`` (the audit log).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

import aiosqlite

from bot.models import Article, Extraction, Place
from bot.store._audit import AuditStore
from bot.store._base import parse_date, parse_datetime
from bot.store._corrections import CorrectionStore
from bot.store._files import REMOVED_FROM_CORPUS, FileOutcome, FileStore, FileWrite, SourceFile
from bot.store._notes import NoteStore
from bot.store._readings import ReadingStore
from bot.store._search import SearchStore

__all__ = ["REMOVED_FROM_CORPUS", "ArticleStore", "FileOutcome", "FileWrite", "SourceFile"]


class ArticleStore(FileStore, ReadingStore, NoteStore, SearchStore, CorrectionStore, AuditStore):
    """Corpus and tracker queries: reading articles here, the rest in the parts above."""

    def _article(self, row: aiosqlite.Row, extraction: Extraction | None = None) -> Article:
        return Article(
            id=row["id"],
            title=row["title"],
            excerpt=row["excerpt"],
            body=row["body"],
            url=row["url"],
            published_at=parse_datetime(row["published_at"]),
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
            f" e.confidence, r.state AS review"
            f" FROM extractions e LEFT JOIN corrections c ON c.article_id = e.article_id"
            f" LEFT JOIN reviews r ON r.article_id = e.article_id"
            f" WHERE e.article_id IN ({marks})",
            article_ids,
        )
        place_rows = await self._fetchall(
            f"SELECT article_id, jurisdiction_key FROM extraction_places WHERE article_rowid IN"
            f" (SELECT rowid FROM articles WHERE id IN ({marks})) ORDER BY article_id, rank",
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
                event_date=parse_date(row["c_event_date"] or row["event_date"]),
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
                f"SELECT article_id, value FROM article_variants WHERE article_rowid IN"
                f" (SELECT rowid FROM articles WHERE id IN ({marks})) AND kind = 'url'",
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

    async def titles_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The titles of articles just written, by id (unknown ids left out), in one query on
        the connection that wrote them."""
        ids = list(dict.fromkeys(article_ids))[:500]

        def read(db: sqlite3.Connection) -> dict[str, str]:
            marks = ",".join("?" * len(ids))
            rows = db.execute(f"SELECT id, title FROM articles WHERE id IN ({marks})", ids)
            return {str(row[0]): str(row[1] or "") for row in rows}

        return await self._read_sync(read) if ids else {}

    async def article_titles(self, article_id: str) -> list[str]:
        """Every headline the story arrived under."""
        rows = await self._fetchall(
            "SELECT value FROM article_variants"
            " WHERE article_rowid = (SELECT rowid FROM articles WHERE id = ?) AND kind = 'title'"
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
