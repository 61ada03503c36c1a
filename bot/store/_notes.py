"""Store methods for status notes: the short summary of each policy item (migration 012)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.corpus import ParsedArticle
from bot.models import Article, Extraction
from bot.store._base import BaseStore
from bot.summary import NOTE_VERSION, event_note

# A status note (migration 012) of the current NOTE_VERSION, replacing any older one.
SAVE_NOTE = "INSERT OR REPLACE INTO article_notes (article_id, version, note) VALUES (?, ?, ?)"


def note_row(article_id: str, title: str, excerpt: str, body: str) -> tuple[str, int, str]:
    """The ``SAVE_NOTE`` parameters for an article's text."""
    text = Article(id=article_id, title=title, excerpt=excerpt, body=body)
    return article_id, NOTE_VERSION, event_note(text)


def text_note(parsed: ParsedArticle, extraction: Extraction) -> str | None:
    """The status note a parsed article will be stored with (None: it gets none), worked out
    where it is read, so an ingest's worker processes do it rather than the write."""
    if not extraction.is_policy:
        return None
    return event_note(Article(id="", title=parsed.title, excerpt=parsed.excerpt, body=parsed.body))


class NoteStore(BaseStore):
    """Status notes, stored with policy items and filled in after upgrades."""

    @staticmethod
    def _write_note(
        db: sqlite3.Connection,
        article_id: str,
        parsed: ParsedArticle,
        extraction: Extraction,
        note: str | None = None,
    ) -> None:
        """Store the status note of a policy item's (new) text (see migration 012): ``note``
        if it was worked out ahead (see :func:`text_note`), else worked out here. Other items
        get one only if asked for: most never are, and it costs ~0.15 ms each."""
        if not extraction.is_policy:
            return
        if note is None:
            db.execute(SAVE_NOTE, note_row(article_id, parsed.title, parsed.excerpt, parsed.body))
        else:
            db.execute(SAVE_NOTE, (article_id, NOTE_VERSION, note))

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
                await db.executemany(SAVE_NOTE, rows)

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
