"""Store methods for petitions, signatures, signer consent, and finding or erasing a user's rows."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import aiosqlite

from bot.store._base import BaseStore, utcnow

# What a forgotten user's id is replaced with where a row must stay (someone else's record).
FORGOTTEN = "[forgotten]"
# Columns whose value *is* the row's owner: a row keyed by the user is deleted, not redacted.
# (owner_id: e.g. a moderator's unpublished article drafts.)
OWNER_COLUMNS = frozenset({"user_id", "member_id", "subscriber_id", "signer_id", "owner_id"})
# The news corpus: public text, never about a Discord user; a short id could match by accident.
CORPUS_TABLES = frozenset(
    {
        "articles",
        "article_sources",
        "article_variants",
        "articles_fts",
        "extractions",
        "extraction_places",
        "jurisdictions",
        "source_files",
    }
)
# Ids shorter than this are matched only whole, never inside free text (Discord ids have 17+).
MIN_SUBSTRING_ID = 5

PetitionStatus = Literal["open", "closed"]
SignResult = Literal["signed", "already_signed", "closed", "expired", "missing"]


@dataclass(frozen=True, slots=True)
class Petition:
    """A petition as stored; ``signature_count`` stays right after signer details are dropped."""

    id: int
    guild_id: str
    title: str
    demand: str
    target: str
    jurisdiction_key: str | None
    jurisdiction: str | None
    goal: int
    deadline: str | None
    status: PetitionStatus
    created_by: str
    created_at: str
    closed_at: str | None
    signature_count: int
    ward_counts: dict[str, int] | None
    details_purged_at: str | None

    def is_expired(self, now: str) -> bool:
        """Whether the deadline (ISO UTC text) has passed at ``now``."""
        return self.deadline is not None and self.deadline <= now


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature; only what the signer chose to give besides their id."""

    petition_id: int
    user_id: str
    public_name: str | None
    zip: str | None
    reason: str | None
    signed_at: str


@dataclass(frozen=True, slots=True)
class Revision:
    """One text change to a petition."""

    petition_id: int
    revised_at: str
    revised_by: str
    field: str
    old_value: str
    new_value: str


@dataclass(frozen=True, slots=True)
class SignatureOutcome:
    """What an attempt to sign (or unsign) did, with the count right after it."""

    result: SignResult | Literal["removed", "not_signed"]
    petition: Petition | None
    count: int
    previous_count: int


def _petition(row: aiosqlite.Row) -> Petition:
    return Petition(
        id=row["id"],
        guild_id=row["guild_id"],
        title=row["title"],
        demand=row["demand"],
        target=row["target"],
        jurisdiction_key=row["jurisdiction_key"],
        jurisdiction=row["jurisdiction"],
        goal=row["goal"],
        deadline=row["deadline"],
        status=row["status"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        signature_count=row["signature_count"],
        ward_counts=json.loads(row["ward_counts"]) if row["ward_counts"] else None,
        details_purged_at=row["details_purged_at"],
    )


def _signature(row: aiosqlite.Row) -> Signature:
    return Signature(
        row["petition_id"],
        row["user_id"],
        row["public_name"],
        row["zip"],
        row["reason"],
        row["signed_at"],
    )


def _quote(identifier: str) -> str:
    """An SQL identifier; table and column names come from sqlite_master, never from users."""
    return '"' + identifier.replace('"', '""') + '"'


def _is_text(column: aiosqlite.Row) -> bool:
    return column["type"].upper() in ("TEXT", "")


def _may_hold_user_id(column: aiosqlite.Row) -> bool:
    """Text columns, and id-like columns of any type; never a table's own integer row id (a
    small numeric id could equal a counter or a rowid by chance)."""
    if column["pk"] and column["type"].upper() == "INTEGER":
        return False
    name = column["name"].lower()
    return _is_text(column) or name.endswith(("id", "_by"))


class PetitionStore(BaseStore):
    """Petition, signature and consent queries, and the whole-database privacy scan."""

    # -- petitions ----------------------------------------------------------------------------

    async def create_petition(
        self,
        *,
        guild_id: str,
        title: str,
        demand: str,
        target: str,
        jurisdiction_key: str | None,
        jurisdiction: str | None,
        goal: int,
        deadline: str | None,
        created_by: str,
    ) -> Petition:
        """Store a new open petition and return it."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO petitions (guild_id, title, demand, target, jurisdiction_key,"
                " jurisdiction, goal, deadline, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    title,
                    demand,
                    target,
                    jurisdiction_key,
                    jurisdiction,
                    goal,
                    deadline,
                    created_by,
                    utcnow(),
                ),
            )
            petition_id = cursor.lastrowid
        petition = await self.get_petition(int(petition_id or 0))
        assert petition is not None
        return petition

    async def get_petition(self, petition_id: int) -> Petition | None:
        """One petition by id, whatever its guild."""
        row = await self._fetchone("SELECT * FROM petitions WHERE id = ?", (petition_id,))
        return _petition(row) if row else None

    async def list_petitions(
        self,
        guild_id: str,
        *,
        status: PetitionStatus | None = None,
        jurisdiction_key: str | None = None,
    ) -> list[Petition]:
        """A guild's petitions, newest first, optionally one status or one place."""
        sql = "SELECT * FROM petitions WHERE guild_id = ?"
        params: list[Any] = [guild_id]
        if status:
            sql += " AND status = ?"
            params.append(status)
        if jurisdiction_key:
            sql += " AND jurisdiction_key = ?"
            params.append(jurisdiction_key)
        rows = await self._fetchall(sql + " ORDER BY id DESC", params)
        return [_petition(row) for row in rows]

    async def edit_petition(
        self, petition_id: int, changes: dict[str, str], *, revised_by: str
    ) -> list[Revision]:
        """Change title/demand/target, logging each change; signatures are untouched."""
        allowed = {"title", "demand", "target"}
        if not set(changes) <= allowed:
            raise ValueError(f"only {sorted(allowed)} can be edited")
        now = utcnow()
        revisions = []
        async with self.transaction() as db:
            row = await self._row(db, "SELECT * FROM petitions WHERE id = ?", (petition_id,))
            if row is None:
                return []
            for field in sorted(changes):
                old, new = row[field], changes[field]
                if old == new:
                    continue
                # The column name is one of the three allowed above, never user text.
                await db.execute(
                    f"UPDATE petitions SET {_quote(field)} = ? WHERE id = ?", (new, petition_id)
                )
                await db.execute(
                    "INSERT INTO petition_revisions"
                    " (petition_id, revised_at, revised_by, field, old_value, new_value)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (petition_id, now, revised_by, field, old, new),
                )
                revisions.append(Revision(petition_id, now, revised_by, field, old, new))
        return revisions

    async def petition_revisions(self, petition_id: int) -> list[Revision]:
        """A petition's text changes, oldest first."""
        rows = await self._fetchall(
            "SELECT * FROM petition_revisions WHERE petition_id = ? ORDER BY id", (petition_id,)
        )
        return [
            Revision(
                r["petition_id"],
                r["revised_at"],
                r["revised_by"],
                r["field"],
                r["old_value"],
                r["new_value"],
            )
            for r in rows
        ]

    async def close_petition(self, petition_id: int, *, closed_by: str) -> bool:
        """Close an open petition; False if it was already closed or does not exist."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE petitions SET status = 'closed', closed_at = ?, closed_by = ?"
                " WHERE id = ? AND status = 'open'",
                (utcnow(), closed_by, petition_id),
            )
            return cursor.rowcount > 0

    async def open_petitions_expired(self, now: str) -> list[Petition]:
        """Open petitions whose deadline has passed (to be closed)."""
        rows = await self._fetchall(
            "SELECT * FROM petitions WHERE status = 'open' AND deadline IS NOT NULL"
            " AND deadline <= ? ORDER BY id",
            (now,),
        )
        return [_petition(row) for row in rows]

    async def open_petitions_due_before(self, when: str) -> list[Petition]:
        """Open petitions whose deadline falls before ``when``."""
        rows = await self._fetchall(
            "SELECT * FROM petitions WHERE status = 'open' AND deadline IS NOT NULL"
            " AND deadline <= ? ORDER BY id",
            (when,),
        )
        return [_petition(row) for row in rows]

    async def claim_milestone(self, petition_id: int, milestone: str) -> bool:
        """Mark a milestone reached; True only the first time (so it is announced once)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO petition_milestones (petition_id, milestone, reached_at)"
                " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (petition_id, milestone, utcnow()),
            )
            return cursor.rowcount > 0

    async def claimed_milestones(self, petition_id: int) -> list[str]:
        """Milestones already announced for a petition."""
        rows = await self._fetchall(
            "SELECT milestone FROM petition_milestones WHERE petition_id = ? ORDER BY reached_at",
            (petition_id,),
        )
        return [row["milestone"] for row in rows]

    async def record_post(self, petition_id: int, channel_id: str, message_id: str) -> None:
        """Remember a message showing the petition (to refresh its live count)."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO petition_posts (petition_id, channel_id, message_id, posted_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (petition_id, channel_id, message_id, utcnow()),
            )

    async def petition_posts(self, petition_id: int) -> list[tuple[str, str]]:
        """(channel id, message id) of every message showing the petition."""
        rows = await self._fetchall(
            "SELECT channel_id, message_id FROM petition_posts WHERE petition_id = ?",
            (petition_id,),
        )
        return [(row["channel_id"], row["message_id"]) for row in rows]

    # -- signatures ---------------------------------------------------------------------------

    async def record_signature(
        self,
        petition_id: int,
        user_id: str,
        *,
        public_name: str | None,
        zip_code: str | None,
        reason: str | None,
        guild_id: str | None = None,
    ) -> SignatureOutcome:
        """Sign once: the unique constraint decides, the count moves in the same transaction."""
        now = utcnow()
        async with self.transaction() as db:
            row = await self._row(db, "SELECT * FROM petitions WHERE id = ?", (petition_id,))
            if row is None or (guild_id is not None and row["guild_id"] != guild_id):
                return SignatureOutcome("missing", None, 0, 0)
            petition = _petition(row)
            count = petition.signature_count
            if petition.status != "open":
                return SignatureOutcome("closed", petition, count, count)
            if petition.is_expired(now):
                return SignatureOutcome("expired", petition, count, count)
            cursor = await db.execute(
                "INSERT INTO petition_signatures"
                " (petition_id, user_id, public_name, zip, reason, signed_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (petition_id, user_id) DO NOTHING",
                (petition_id, user_id, public_name, zip_code, reason, now),
            )
            if cursor.rowcount == 0:
                return SignatureOutcome("already_signed", petition, count, count)
            await db.execute(
                "UPDATE petitions SET signature_count = signature_count + 1 WHERE id = ?",
                (petition_id,),
            )
            return SignatureOutcome("signed", petition, count + 1, count)

    async def remove_signature(
        self, petition_id: int, user_id: str, *, guild_id: str | None = None
    ) -> SignatureOutcome:
        """Withdraw a signature from an open petition (erased, :meth:`erasure`)."""
        async with self.erasure() as db:
            row = await self._row(db, "SELECT * FROM petitions WHERE id = ?", (petition_id,))
            if row is None or (guild_id is not None and row["guild_id"] != guild_id):
                return SignatureOutcome("missing", None, 0, 0)
            petition = _petition(row)
            count = petition.signature_count
            cursor = await db.execute(
                "DELETE FROM petition_signatures WHERE petition_id = ? AND user_id = ?",
                (petition_id, user_id),
            )
            if cursor.rowcount == 0:
                return SignatureOutcome("not_signed", petition, count, count)
            await db.execute(
                "UPDATE petitions SET signature_count = signature_count - 1 WHERE id = ?",
                (petition_id,),
            )
            return SignatureOutcome("removed", petition, count - 1, count)

    async def signatures(self, petition_id: int) -> list[Signature]:
        """A petition's signatures in signing order."""
        rows = await self._fetchall(
            "SELECT * FROM petition_signatures WHERE petition_id = ? ORDER BY signed_at, id",
            (petition_id,),
        )
        return [_signature(row) for row in rows]

    async def count_signatures(self, petition_id: int) -> int:
        """Signature rows actually held (equals ``signature_count`` until a purge)."""
        row = await self._fetchone(
            "SELECT COUNT(*) FROM petition_signatures WHERE petition_id = ?", (petition_id,)
        )
        return int(row[0]) if row else 0

    async def has_signed(self, petition_id: int, user_id: str) -> bool:
        """Whether the user currently has a signature on the petition."""
        row = await self._fetchone(
            "SELECT 1 FROM petition_signatures WHERE petition_id = ? AND user_id = ?",
            (petition_id, user_id),
        )
        return row is not None

    async def purge_signer_details(self, closed_before: str) -> list[int]:
        """Drop signatures of petitions closed before ``closed_before``; totals and ward counts
        are kept on the petition; the details are erased (:meth:`erasure`). Returns the
        petition ids purged."""
        purged = []
        async with self.erasure() as db:
            rows = await self._rows(
                db,
                "SELECT id FROM petitions WHERE status = 'closed' AND closed_at <= ?"
                " AND details_purged_at IS NULL",
                (closed_before,),
            )
            for row in rows:
                petition_id = row["id"]
                zips = await self._rows(
                    db,
                    "SELECT zip FROM petition_signatures WHERE petition_id = ?",
                    (petition_id,),
                )
                wards = Counter(z["zip"] or "" for z in zips)
                signers = await self._rows(
                    db,
                    "SELECT user_id FROM petition_signatures WHERE petition_id = ?",
                    (petition_id,),
                )
                await db.execute(
                    "DELETE FROM petition_signatures WHERE petition_id = ?", (petition_id,)
                )
                await db.execute(
                    "UPDATE petitions SET ward_counts = ?, details_purged_at = ? WHERE id = ?",
                    (json.dumps(dict(sorted(wards.items()))), utcnow(), petition_id),
                )
                # A consent with no signature left behind it is no longer needed either.
                for signer in signers:
                    await db.execute(
                        "DELETE FROM privacy_consents WHERE user_id = ? AND NOT EXISTS"
                        " (SELECT 1 FROM petition_signatures WHERE user_id = ?)",
                        (signer["user_id"], signer["user_id"]),
                    )
                purged.append(petition_id)
        return purged

    # -- consent ------------------------------------------------------------------------------

    async def consent_version(self, user_id: str) -> int | None:
        """The privacy notice version the user accepted, or None."""
        row = await self._fetchone(
            "SELECT version FROM privacy_consents WHERE user_id = ?", (user_id,)
        )
        return int(row["version"]) if row else None

    async def record_consent(self, user_id: str, version: int) -> None:
        """Remember that the user accepted notice ``version`` (idempotent)."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO privacy_consents (user_id, version, consented_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET version = excluded.version,"
                " consented_at = excluded.consented_at WHERE version < excluded.version",
                (user_id, version, utcnow()),
            )

    # -- whole-database privacy ---------------------------------------------------------------

    async def _user_tables(self, db: aiosqlite.Connection) -> list[tuple[str, list[aiosqlite.Row]]]:
        """Every ordinary table outside the news corpus, with its columns (PRAGMA table_info)."""
        tables = await self._rows(
            db,
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        found = []
        for table in tables:
            name = table["name"]
            if name in CORPUS_TABLES or name.startswith("articles_fts"):
                continue
            if (table["sql"] or "").upper().startswith("CREATE VIRTUAL"):
                continue
            columns = await self._rows(db, f"PRAGMA table_info({_quote(name)})")
            # A foreign key holds another row's id (petition_id, article_id), not a user's.
            keys = await self._rows(db, f"PRAGMA foreign_key_list({_quote(name)})")
            references = {key["from"] for key in keys}
            found.append(
                (
                    name,
                    [c for c in columns if _may_hold_user_id(c) and c["name"] not in references],
                )
            )
        return found

    @staticmethod
    def _mention_condition(columns: Iterable[aiosqlite.Row], user_id: str) -> tuple[str, list[Any]]:
        """SQL matching a row that holds ``user_id`` in any column (or inside any text)."""
        parts, params = [], []
        for column in columns:
            name = _quote(column["name"])
            parts.append(f"CAST({name} AS TEXT) = ?")
            params.append(user_id)
            if len(user_id) >= MIN_SUBSTRING_ID and _is_text(column):
                parts.append(f"instr(CAST({name} AS TEXT), ?) > 0")
                params.append(user_id)
        return " OR ".join(parts) or "0", params

    async def rows_mentioning(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row in every table (outside the news corpus) that holds ``user_id``."""
        found: dict[str, list[dict[str, Any]]] = {}
        for table, columns in await self._user_tables(self._db):
            condition, params = self._mention_condition(columns, user_id)
            rows = await self._fetchall(f"SELECT * FROM {_quote(table)} WHERE {condition}", params)
            if rows:
                found[table] = [dict(row) for row in rows]
        return found

    async def forget_user(self, user_id: str) -> dict[str, int]:
        """Erase ``user_id`` from the database: their own rows are deleted (signatures, with the
        counts lowered), other records that name them are redacted. Returns rows touched.

        Nothing erased stays readable in the database file or its WAL (:meth:`erasure`).
        """
        touched: Counter[str] = Counter()
        async with self.erasure() as db:
            signed = await self._rows(
                db,
                "SELECT petition_id FROM petition_signatures WHERE user_id = ?",
                (user_id,),
            )
            for row in signed:
                await db.execute(
                    "UPDATE petitions SET signature_count = signature_count - 1"
                    " WHERE id = ? AND signature_count > 0",
                    (row["petition_id"],),
                )
            cursor = await db.execute(
                "DELETE FROM petition_signatures WHERE user_id = ?", (user_id,)
            )
            touched["petition_signatures"] += cursor.rowcount
            cursor = await db.execute("DELETE FROM privacy_consents WHERE user_id = ?", (user_id,))
            touched["privacy_consents"] += cursor.rowcount
            for table, columns in await self._user_tables(db):
                touched[table] += await self._forget_in_table(db, table, columns, user_id)
        return {table: count for table, count in touched.items() if count}

    async def _forget_in_table(
        self, db: aiosqlite.Connection, table: str, columns: list[aiosqlite.Row], user_id: str
    ) -> int:
        """Rows owned by the user (keyed by them) go; other mentions become FORGOTTEN/NULL."""
        quoted = _quote(table)
        touched = 0
        for column in columns:
            name = _quote(column["name"])
            owner = column["name"] in OWNER_COLUMNS or bool(column["pk"])
            if owner:
                cursor = await db.execute(
                    f"DELETE FROM {quoted} WHERE CAST({name} AS TEXT) = ?", (user_id,)
                )
                touched += cursor.rowcount
                continue
            replacement = FORGOTTEN if column["notnull"] else None
            try:
                cursor = await db.execute(
                    f"UPDATE {quoted} SET {name} = ? WHERE CAST({name} AS TEXT) = ?",
                    (replacement, user_id),
                )
            except aiosqlite.IntegrityError:
                # A CHECK or type rule forbids the placeholder: the row cannot be kept.
                cursor = await db.execute(
                    f"DELETE FROM {quoted} WHERE CAST({name} AS TEXT) = ?", (user_id,)
                )
            touched += cursor.rowcount
            if len(user_id) >= MIN_SUBSTRING_ID and _is_text(column):
                cursor = await db.execute(
                    f"UPDATE {quoted} SET {name} = replace({name}, ?, ?)"
                    f" WHERE instr({name}, ?) > 0",
                    (user_id, FORGOTTEN, user_id),
                )
                touched += cursor.rowcount
        return touched
