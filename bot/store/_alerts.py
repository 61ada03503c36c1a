"""Store methods for channel alerts: subscriptions, pause, the outbox and the alerts' memory."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence

import aiosqlite

from bot.alerts.models import (
    DIGESTED,
    FAILED,
    HELD,
    QUEUED,
    REVIEW,
    AlertMessage,
    NewOutboxRow,
    OutboxEntry,
    Subscription,
    make_nonce,
)
from bot.store._base import BaseStore, utcnow

_ENTRY_SQL = (
    "SELECT o.*, s.guild_id, s.channel_id, s.channel_kind, s.role_id"
    " FROM alert_outbox o JOIN alert_subscriptions s ON s.id = o.subscription_id"
)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


# A subscription with the channel it was made in (migration 018).
_SUBSCRIPTION_SQL = (
    "SELECT s.*, m.mode AS review_mode, o.channel_id AS created_in FROM alert_subscriptions s"
    " LEFT JOIN alert_review_modes m ON m.subscription_id = s.id"
    " LEFT JOIN alert_subscription_origins o ON o.subscription_id = s.id"
)


def _subscription(row: aiosqlite.Row) -> Subscription:
    return Subscription(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        channel_kind=row["channel_kind"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        last_article_rowid=row["last_article_rowid"],
        place_key=row["place_key"],
        state=row["state"],
        country=row["country"],
        actions=_split(row["actions"]),
        keywords=_split(row["keywords"]),
        mode=row["mode"],
        digest_hour=row["digest_hour"],
        role_id=row["role_id"],
        broken_at=row["broken_at"],
        broken_reason=row["broken_reason"],
        removed_at=row["removed_at"],
        review=row["review_mode"] or "all",
        created_in=row["created_in"],
    )


# A subscription with its review mode (no row: 'all', see migration 018).
def _entry(row: aiosqlite.Row) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        subscription_id=row["subscription_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        channel_kind=row["channel_kind"],
        role_id=row["role_id"],
        kind=row["kind"],
        subject=row["subject"],
        article_id=row["article_id"],
        state=row["state"],
        detail=row["detail"],
        payload=AlertMessage.from_json(row["payload"]) if row["payload"] else None,
        nonce=row["nonce"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        message_id=row["message_id"],
        folded_into=row["folded_into"],
        needs_edit=bool(row["needs_edit"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        attempted_at=row["attempted_at"],
    )


# The alerts' two checks, run every second (tests check they read only what changed).
UNSEEN_ARTICLES_SQL = (
    "SELECT a.rowid AS arrival, a.id FROM articles a"
    " LEFT JOIN alert_items i ON i.article_id = a.id"
    " WHERE a.rowid > coalesce((SELECT CAST(value AS INTEGER) FROM alert_meta"
    "   WHERE key = 'scanned_upto'), 0)"
    " AND i.article_id IS NULL AND a.retracted_at IS NULL ORDER BY a.rowid"
)
TRACKER_REVISION_SQL = (
    "SELECT (SELECT coalesce(max(id), 0) FROM audit_log) || ':' ||"
    " (SELECT count(*) FROM articles WHERE retracted_at IS NOT NULL) AS revision"
)


class AlertStore(BaseStore):
    """Alert subscriptions and the outbox. All SQL about alerts lives here."""

    # -- subscriptions --------------------------------------------------------------------------

    async def add_subscription(
        self,
        *,
        guild_id: str,
        channel_id: str,
        channel_kind: str,
        created_by: str,
        place_key: str | None = None,
        state: str | None = None,
        country: str | None = None,
        actions: Sequence[str] = (),
        keywords: Sequence[str] = (),
        mode: str = "item",
        digest_hour: int | None = None,
        role_id: str | None = None,
        review: str = "all",
        created_in: str | None = None,
    ) -> Subscription:
        """Record a new subscription; it starts from now."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO alert_subscriptions (guild_id, channel_id, channel_kind, place_key,"
                " state, country, actions, keywords, mode, digest_hour, role_id, created_by,"
                " created_at, last_article_rowid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " (SELECT coalesce(max(rowid), 0) FROM articles))",
                (
                    guild_id,
                    channel_id,
                    channel_kind,
                    place_key,
                    state,
                    country,
                    ",".join(actions),
                    ",".join(keywords),
                    mode,
                    digest_hour,
                    role_id,
                    created_by,
                    utcnow(),
                ),
            )
            subscription_id = cursor.lastrowid
            if review != "all":
                await db.execute(
                    "INSERT INTO alert_review_modes (subscription_id, mode) VALUES (?, ?)",
                    (subscription_id, review),
                )
            if created_in is not None:
                await db.execute(
                    "INSERT INTO alert_subscription_origins (subscription_id, channel_id)"
                    " VALUES (?, ?)",
                    (subscription_id, created_in),
                )
        found = await self.subscription(int(subscription_id or 0))
        assert found is not None
        return found

    async def subscription(self, subscription_id: int) -> Subscription | None:
        """One subscription by id (removed ones too)."""
        row = await self._fetchone(_SUBSCRIPTION_SQL + " WHERE s.id = ?", (subscription_id,))
        return _subscription(row) if row else None

    async def set_review_mode(self, subscription_id: int, mode: str) -> None:
        """Choose what a subscription posts before review ('all', 'hold', 'confirmed')."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO alert_review_modes (subscription_id, mode) VALUES (?, ?)"
                " ON CONFLICT(subscription_id) DO UPDATE SET mode = excluded.mode",
                (subscription_id, mode),
            )

    async def subscriptions(
        self,
        guild_id: str | None = None,
        *,
        include_removed: bool = False,
        mode: str | None = None,
    ) -> list[Subscription]:
        """Subscriptions of one guild (or all; of one ``mode``), oldest first."""
        where, params = [], []
        if guild_id is not None:
            where.append("s.guild_id = ?")
            params.append(guild_id)
        if mode is not None:
            where.append("s.mode = ?")
            params.append(mode)
        if not include_removed:
            where.append("s.removed_at IS NULL")
        sql = _SUBSCRIPTION_SQL
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self._fetchall(sql + " ORDER BY s.id", params)
        return [_subscription(row) for row in rows]

    async def remove_subscription(self, guild_id: str, subscription_id: int) -> bool:
        """Stop a subscription of ``guild_id`` (its record stays for /alerts why)."""
        now = utcnow()
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE alert_subscriptions SET removed_at = ?"
                " WHERE id = ? AND guild_id = ? AND removed_at IS NULL",
                (now, subscription_id, guild_id),
            )
            if cursor.rowcount == 0:
                return False
            await db.execute(
                "UPDATE alert_outbox SET state = ?, detail = 'unsubscribed', updated_at = ?"
                " WHERE subscription_id = ? AND state IN (?, ?, ?)",
                (FAILED, now, subscription_id, QUEUED, HELD, REVIEW),
            )
            return True

    async def mark_subscription_broken(self, subscription_id: int, reason: str) -> bool:
        """Mark a subscription broken and fail its queue; True only the first time."""
        now = utcnow()
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE alert_subscriptions SET broken_at = ?, broken_reason = ?"
                " WHERE id = ? AND broken_at IS NULL",
                (now, reason, subscription_id),
            )
            await db.execute(
                "UPDATE alert_outbox SET state = ?, detail = ?, updated_at = ?"
                " WHERE subscription_id = ? AND state IN (?, ?, ?)",
                (
                    FAILED,
                    f"subscription broken: {reason}",
                    now,
                    subscription_id,
                    QUEUED,
                    HELD,
                    REVIEW,
                ),
            )
            return cursor.rowcount > 0

    async def clear_subscription_broken(self, subscription_id: int) -> bool:
        """A broken subscription works again; True only if it was broken (and is live)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE alert_subscriptions SET broken_at = NULL, broken_reason = NULL"
                " WHERE id = ? AND broken_at IS NOT NULL AND removed_at IS NULL",
                (subscription_id,),
            )
            return cursor.rowcount > 0

    # -- pause ------------------------------------------------------------------------------------

    async def set_alerts_paused(self, guild_id: str, paused: bool, actor_id: str) -> bool:
        """Pause or resume a guild's alerts; False if it already was in that state."""
        if await self.alerts_paused(guild_id) == paused:
            return False
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO alert_guilds (guild_id, paused_at, paused_by) VALUES (?, ?, ?)"
                " ON CONFLICT(guild_id) DO UPDATE SET paused_at = excluded.paused_at,"
                " paused_by = excluded.paused_by",
                (guild_id, utcnow() if paused else None, actor_id),
            )
        return True

    async def alerts_paused(self, guild_id: str) -> bool:
        """Whether a moderator paused this guild's alerts."""
        row = await self._fetchone(
            "SELECT paused_at FROM alert_guilds WHERE guild_id = ?", (guild_id,)
        )
        return bool(row and row["paused_at"])

    async def paused_guilds(self) -> set[str]:
        """Every guild whose alerts are paused."""
        rows = await self._fetchall("SELECT guild_id FROM alert_guilds WHERE paused_at IS NOT NULL")
        return {row["guild_id"] for row in rows}

    # -- what the alerts have seen ----------------------------------------------------------------

    async def unprocessed_alert_articles(self) -> dict[str, int]:
        """{article id: arrival order (rowid)} for articles the alerts have not matched yet.

        Only articles that arrived after the last whole scan's newest are looked at (alert
        meta ``scanned_upto``; articles are never deleted, so rowids only grow): checked
        every second, the whole table took 120 ms at 100,000 articles. An older article
        restored to the corpus before it was ever matched moves the mark back
        (:func:`lower_scanned_upto`).
        """
        rows = await self._fetchall(UNSEEN_ARTICLES_SQL)
        return {row["id"]: row["arrival"] for row in rows}

    async def article_arrivals(self, article_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """{article id: (arrival order, when it entered the store)}."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self._fetchall(
            f"SELECT rowid AS arrival, id, created_at FROM articles WHERE id IN ({marks})",
            list(article_ids),
        )
        return {row["id"]: (row["arrival"], row["created_at"]) for row in rows}

    async def tracker_revision(self) -> str:
        """Changes whenever a moderator changes the tracker's inputs without a new article.

        The newest audit entry covers corrections and removals; the count of retracted
        articles covers files deleted from the corpus.
        """
        row = await self._fetchone(TRACKER_REVISION_SQL)
        return str(row["revision"]) if row else ""

    async def alerts_seen_revision(self) -> str:
        """The tracker revision the alerts last matched."""
        row = await self._fetchone("SELECT value FROM alert_meta WHERE key = 'tracker_revision'")
        return row["value"] if row else ""

    async def alert_place_statuses(self) -> dict[str, tuple[str, int | None]]:
        """{place key: (status, the place's version then)} as the alerts last saw them."""
        rows = await self._fetchall("SELECT place_key, status, version FROM alert_place_status")
        return {row["place_key"]: (row["status"], row["version"]) for row in rows}

    async def record_alert_scan(
        self,
        article_ids: Iterable[str],
        rows: Sequence[NewOutboxRow],
        statuses: dict[str, tuple[str, int | None]],
        revision: str | None = None,
        scanned_upto: int | None = None,
    ) -> int:
        """Write one scan's outbox rows, mark its articles seen and its statuses known (with
        the place versions they were derived at; None: to be worked out again), at once.

        Returns how many rows were new (a row already present is left alone).
        """
        now = utcnow()
        async with self.transaction() as db:
            if revision is not None:
                await db.execute(
                    "INSERT INTO alert_meta (key, value) VALUES ('tracker_revision', ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (revision,),
                )
            if scanned_upto is not None:
                # Every article up to this arrival is matched or was retracted.
                await db.execute(
                    "INSERT INTO alert_meta (key, value) VALUES ('scanned_upto', ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (str(scanned_upto),),
                )
            added = await self._insert_rows(rows, now)
            await db.executemany(
                "INSERT OR IGNORE INTO alert_items (article_id, processed_at) VALUES (?, ?)",
                [(article_id, now) for article_id in article_ids],
            )
            await db.executemany(
                "INSERT INTO alert_place_status (place_key, status, version, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(place_key) DO UPDATE SET"
                " status = excluded.status, version = excluded.version,"
                " updated_at = CASE WHEN status != excluded.status"
                " THEN excluded.updated_at ELSE updated_at END",
                [(key, status, version, now) for key, (status, version) in statuses.items()],
            )
        return added

    async def enqueue_outbox(self, rows: Sequence[NewOutboxRow]) -> int:
        """Insert outbox rows that are not there yet; returns how many were new."""
        async with self.transaction():
            return await self._insert_rows(rows, utcnow())

    async def _insert_rows(self, rows: Sequence[NewOutboxRow], now: str) -> int:
        """Insert outbox rows not there yet, inside the caller's transaction; returns how
        many were new. One executemany call: a first scan of a big corpus writes
        a row per item and subscription, and a trip from the event loop for each took half
        of its time."""
        params = [
            (
                row.subscription_id,
                row.kind,
                row.subject,
                row.article_id,
                row.state,
                row.detail,
                row.payload.to_json() if row.payload else None,
                row.nonce,
                now if row.state == QUEUED else None,
                now,
                now,
            )
            for row in rows
        ]
        if not params:
            return 0
        # Inside the caller's transaction on the shared connection: one call for them all
        # (no triggers on the outbox, so the change count is the rows inserted).
        cursor = await self._db.executemany(INSERT_OUTBOX_ROW, params)
        return cursor.rowcount

    # -- the outbox ---------------------------------------------------------------------------

    async def outbox_entry(self, entry_id: int) -> OutboxEntry | None:
        """One outbox row."""
        row = await self._fetchone(_ENTRY_SQL + " WHERE o.id = ?", (entry_id,))
        return _entry(row) if row else None

    async def due_outbox(
        self,
        now: str,
        *,
        limit: int = 500,
        only_guild: str | None = None,
        except_guild: str | None = None,
        per_channel: int | None = None,
        channel_id: str | None = None,
        except_channels: Sequence[str] = (),
    ) -> list[OutboxEntry]:
        """Queued rows whose next attempt is due, oldest first.

        ``per_channel`` takes at most that many of each channel's oldest (so one busy channel
        can't fill the batch); ``channel_id`` only that channel's; ``except_channels`` none of
        theirs (channels the sender is already serving).
        """
        where = "o.state = ? AND o.next_attempt_at <= ?"
        params: list[object] = [QUEUED, now]
        if only_guild is not None:
            where += " AND s.guild_id = ?"
            params.append(only_guild)
        if except_guild is not None:
            where += " AND s.guild_id != ?"
            params.append(except_guild)
        if channel_id is not None:
            where += " AND s.channel_id = ?"
            params.append(channel_id)
        if except_channels:
            where += " AND s.channel_id NOT IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(except_channels)))
        if per_channel is None:
            sql = f"{_ENTRY_SQL} WHERE {where} ORDER BY o.id LIMIT ?"
        else:
            sql = (
                "SELECT * FROM (SELECT o.*, s.guild_id, s.channel_id, s.channel_kind, s.role_id,"
                " row_number() OVER (PARTITION BY s.channel_id ORDER BY o.id) AS in_channel"
                " FROM alert_outbox o JOIN alert_subscriptions s ON s.id = o.subscription_id"
                f" WHERE {where}) WHERE in_channel <= ? ORDER BY id LIMIT ?"
            )
            params.append(per_channel)
        rows = await self._fetchall(sql, [*params, limit])
        return [_entry(row) for row in rows]

    async def next_outbox_attempt(self) -> str | None:
        """When the earliest queued row is due, if any."""
        row = await self._fetchone(
            "SELECT MIN(next_attempt_at) FROM alert_outbox WHERE state = ?", (QUEUED,)
        )
        return row[0] if row else None

    async def pending_edits(self, *, limit: int = 100) -> list[OutboxEntry]:
        """Delivered posts whose "also covered by" line grew since they were posted."""
        rows = await self._fetchall(
            _ENTRY_SQL + " WHERE o.needs_edit = 1 AND o.message_id IS NOT NULL ORDER BY o.id"
            " LIMIT ?",
            (limit,),
        )
        return [_entry(row) for row in rows]

    async def outbox_entries(
        self,
        *,
        guild_id: str | None = None,
        states: Sequence[str] | None = None,
        article_id: str | None = None,
        subscription_id: int | None = None,
        limit: int = 50,
    ) -> list[OutboxEntry]:
        """Outbox rows, newest first, filtered by guild, state, article or subscription."""
        where: list[str] = []
        params: list[object] = []
        if guild_id is not None:
            where.append("s.guild_id = ?")
            params.append(guild_id)
        if states:
            where.append(f"o.state IN ({','.join('?' * len(states))})")
            params.extend(states)
        if article_id is not None:
            where.append("o.article_id = ?")
            params.append(article_id)
        if subscription_id is not None:
            where.append("o.subscription_id = ?")
            params.append(subscription_id)
        sql = _ENTRY_SQL + (" WHERE " + " AND ".join(where) if where else "")
        rows = await self._fetchall(sql + " ORDER BY o.id DESC LIMIT ?", [*params, limit])
        return [_entry(row) for row in rows]

    async def start_delivery_attempt(self, entry_id: int) -> None:
        """Count an attempt before the request goes out (a crash then leaves a trace).

        The first such attempt's time stays in ``attempted_at``: until the row is delivered, a
        post may exist that banwatch never recorded, and for a forum the sender looks for it.
        """
        now = utcnow()
        async with self.transaction() as db:
            await db.execute(
                "UPDATE alert_outbox SET attempts = attempts + 1,"
                " attempted_at = COALESCE(attempted_at, ?), updated_at = ? WHERE id = ?",
                (now, now, entry_id),
            )

    async def mark_delivered(self, entry_id: int, message_id: str) -> None:
        """Record a confirmed post."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE alert_outbox SET state = 'delivered', message_id = ?, detail = '',"
                " next_attempt_at = NULL, updated_at = ? WHERE id = ? AND state = ?",
                (message_id, utcnow(), entry_id, QUEUED),
            )

    async def mark_retry(self, entry_id: int, detail: str, next_attempt_at: str) -> None:
        """Leave a row queued, to be tried again at ``next_attempt_at``."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE alert_outbox SET detail = ?, next_attempt_at = ?, updated_at = ?"
                " WHERE id = ? AND state = ?",
                (detail, next_attempt_at, utcnow(), entry_id, QUEUED),
            )

    async def mark_outbox_state(self, entry_id: int, state: str, detail: str) -> None:
        """Close a queued row with a final state and the reason."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE alert_outbox SET state = ?, detail = ?, next_attempt_at = NULL,"
                " updated_at = ? WHERE id = ? AND state = ?",
                (state, detail, utcnow(), entry_id, QUEUED),
            )

    async def release_reviewed(
        self, entry_id: int, state: str, detail: str, payload: AlertMessage | None
    ) -> bool:
        """Move a row held for review to ``state`` (queued: posted now; filtered: never),
        with its payload as the review left it; False if it was not held any more (another
        review released it first), so it is posted once."""
        now = utcnow()
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE alert_outbox SET state = ?, detail = ?, payload = coalesce(?, payload),"
                " next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = ?",
                (
                    state,
                    detail,
                    payload.to_json() if payload else None,
                    now if state == QUEUED else None,
                    now,
                    entry_id,
                    REVIEW,
                ),
            )
            return cursor.rowcount > 0

    async def drop_unsent(self, entry_id: int, detail: str) -> bool:
        """Filter out a row not posted yet (queued, held or paused): it never will be."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE alert_outbox SET state = 'filtered', detail = ?, next_attempt_at = NULL,"
                " updated_at = ? WHERE id = ? AND state IN ('queued', 'held', 'paused', 'review')",
                (detail, utcnow(), entry_id),
            )
            return cursor.rowcount > 0

    async def revise_payload(self, entry_id: int, payload: AlertMessage) -> None:
        """A reviewed item's post says what the review says: not sent yet, it goes out so;
        sent, it is edited."""
        await self.fold_into(entry_id, payload)

    async def mark_edited(self, entry_id: int) -> None:
        """The delivered post now shows its latest payload."""
        async with self.transaction() as db:
            await db.execute("UPDATE alert_outbox SET needs_edit = 0 WHERE id = ?", (entry_id,))

    async def recent_item_entries(
        self, subscription_id: int, *, limit: int = 200
    ) -> list[OutboxEntry]:
        """The latest posted or postable item rows of a subscription (for folding coverage)."""
        rows = await self._fetchall(
            _ENTRY_SQL + " WHERE o.subscription_id = ? AND o.kind = 'item'"
            " AND o.state IN ('queued', 'delivered', 'held', 'digested')"
            " ORDER BY o.id DESC LIMIT ?",
            (subscription_id, limit),
        )
        return [_entry(row) for row in rows]

    async def fold_into(self, entry_id: int, payload: AlertMessage) -> None:
        """Replace an earlier post's payload (it gained "also covered by"); edit it if sent."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE alert_outbox SET payload = ?, updated_at = ?,"
                " needs_edit = CASE WHEN message_id IS NOT NULL THEN 1 ELSE needs_edit END"
                " WHERE id = ?",
                (payload.to_json(), utcnow(), entry_id),
            )

    # -- digests ----------------------------------------------------------------------------------

    async def held_entries(self, subscription_id: int) -> list[OutboxEntry]:
        """Rows held for a subscription's next digest, oldest first."""
        rows = await self._fetchall(
            _ENTRY_SQL + " WHERE o.subscription_id = ? AND o.state = ? ORDER BY o.id",
            (subscription_id, HELD),
        )
        return [_entry(row) for row in rows]

    async def create_digest(
        self, subscription_id: int, day: dt.date, payload: AlertMessage, held_ids: Sequence[int]
    ) -> bool:
        """Queue one digest post and mark the rows it carries; False if today's exists."""
        subject = day.isoformat()
        now = utcnow()
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO alert_outbox (subscription_id, kind, subject, state,"
                " detail, payload, nonce, next_attempt_at, created_at, updated_at)"
                " VALUES (?, 'digest', ?, ?, '', ?, ?, ?, ?, ?)",
                (
                    subscription_id,
                    subject,
                    QUEUED,
                    payload.to_json(),
                    make_nonce(subscription_id, "digest", subject),
                    now,
                    now,
                    now,
                ),
            )
            if cursor.rowcount == 0:
                return False
            digest_id = cursor.lastrowid
            await db.executemany(
                "UPDATE alert_outbox SET state = ?, detail = ?, folded_into = ?, updated_at = ?"
                " WHERE id = ? AND state = ?",
                [
                    (DIGESTED, f"in the digest of {subject}", digest_id, now, held_id, HELD)
                    for held_id in held_ids
                ],
            )
            return True


INSERT_OUTBOX_ROW = (
    "INSERT OR IGNORE INTO alert_outbox (subscription_id, kind, subject, article_id,"
    " state, detail, payload, nonce, next_attempt_at, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def lower_scanned_upto(db: sqlite3.Connection, article_id: str, arrival: int) -> None:
    """An article restored to the corpus (retraction undone) that the alerts never matched
    is theirs to match again: move their "scanned up to" mark back below its arrival."""
    db.execute(
        "UPDATE alert_meta SET value = CAST(? AS TEXT)"
        " WHERE key = 'scanned_upto' AND CAST(value AS INTEGER) >= ?"
        " AND NOT EXISTS (SELECT 1 FROM alert_items WHERE article_id = ?)",
        (arrival - 1, arrival, article_id),
    )
