"""Store methods for full-text search over titles, excerpts and bodies (FTS5)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.corpus import ParsedArticle
from bot.models import Article
from bot.store._base import BaseStore

# A search ranks at most this many of the latest matching articles ...
SEARCH_RANKED = 2000

# ... and reads this many more than it shows, in case some of the best were retracted.
SEARCH_MARGIN = 40

# FTS5's own settings: merge segments 4 at a time as rows are written, and at the latest when
# 16 of one size have piled up. While a big ingest writes, only past 64 (see
# SearchStore.text_index_merges_deferred).
AUTOMERGE = 4
CRISISMERGE = 16
CRISISMERGE_DEFERRED = 64


class SearchStore(BaseStore):
    """The full-text index: written with each article's text, searched by rank."""

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

    async def merge_text_index(self) -> None:
        """Merge the full-text index's segments into one (FTS5 'optimize')."""
        async with self.transaction() as db:
            await db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")

    @asynccontextmanager
    async def text_index_merges_deferred(self) -> AsyncIterator[None]:
        """Leave the full-text index's segments unmerged while a big ingest writes, then
        merge them all into one, once.

        FTS5 merges segments as rows arrive, so during a long ingest each posting is copied
        into a larger segment again and again (about three times at 100,000 articles), and
        the 'optimize' at the end copies it once more: a text-only ingest of 100,000 articles
        wrote 364 MiB for 108 MiB, and 254 MiB with the merges left to the end. Searches
        meanwhile read more segments. The settings live in the database: an ingest killed
        midway leaves them, and the next one puts them back (restore_text_index_merges).
        """
        await self._set_text_index_merges(0, CRISISMERGE_DEFERRED)
        try:
            yield
        finally:
            await self._set_text_index_merges(AUTOMERGE, CRISISMERGE)
        await self.merge_text_index()

    async def restore_text_index_merges(self) -> None:
        """FTS5's own merge settings again, if an ingest that deferred merges was stopped."""
        row = await self._fetchone("SELECT v FROM articles_fts_config WHERE k = 'automerge'")
        if row is not None and row[0] != AUTOMERGE:
            await self._set_text_index_merges(AUTOMERGE, CRISISMERGE)

    async def _set_text_index_merges(self, automerge: int, crisismerge: int) -> None:
        async with self.transaction() as db:
            for name, value in (("automerge", automerge), ("crisismerge", crisismerge)):
                await db.execute(
                    "INSERT INTO articles_fts (articles_fts, rank) VALUES (?, ?)", (name, value)
                )

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
        rows = await self._read_sync(_search_rows, match, limit)
        return await self._articles_with_extraction(rows, variants=False)


def _search_rows(connection: sqlite3.Connection, match: str, limit: int) -> list[sqlite3.Row]:
    """The article rows of the best ``limit`` matches, best first (on the store's plain connection).

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
