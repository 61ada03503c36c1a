"""Store methods for moderators' changes to articles: corrections of a reading, retractions."""

from __future__ import annotations

from bot.models import Correction, Place
from bot.store._base import BaseStore, iso, parse_date, utcnow
from bot.store._notes import SAVE_NOTE, note_row
from bot.summary import NOTE_VERSION


def correction_values(correction: Correction) -> tuple[object, ...]:
    """A correction's row for ``INSERT INTO corrections (article_id, is_policy, action, scope,
    event_date, jurisdiction_key, corrected_by, corrected_at, note)``."""
    return (
        correction.article_id,
        None if correction.is_policy is None else int(correction.is_policy),
        correction.action,
        correction.scope,
        iso(correction.event_date),
        correction.place_key,
        correction.corrected_by,
        correction.corrected_at,
        correction.note,
    )


class CorrectionStore(BaseStore):
    """A moderator's correction wins over the extractor; a retracted article leaves every answer."""

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
                correction_values(correction),
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
                await db.execute(SAVE_NOTE, note_row(correction.article_id, *row))

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
            event_date=parse_date(row["event_date"]),
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
