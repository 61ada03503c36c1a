"""Store methods for guild settings, moderators' article drafts and application-command syncs."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from bot.store._base import BaseStore, utcnow

DRAFT_ID_BYTES = 6


@dataclass(frozen=True, slots=True)
class StoredDraft:
    """An article a moderator filled in but has not published or cancelled yet."""

    id: str
    owner_id: str
    guild_id: str | None
    fields: dict[str, str]
    created_at: str


class GuildStore(BaseStore):
    """Per-guild settings (the moderator role), article drafts and the last synced tree hash."""

    async def save_draft(
        self, owner_id: int | str, guild_id: int | str | None, fields: dict[str, str]
    ) -> str:
        """Keep a moderator's draft; returns its short id (for a button's custom_id)."""
        draft_id = secrets.token_hex(DRAFT_ID_BYTES)
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO article_drafts (id, owner_id, guild_id, fields, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    draft_id,
                    str(owner_id),
                    None if guild_id is None else str(guild_id),
                    json.dumps(fields, sort_keys=True),
                    utcnow(),
                ),
            )
        return draft_id

    async def get_draft(self, draft_id: str) -> StoredDraft | None:
        """A draft by id, or None when it was published, cancelled or never existed."""
        row = await self._fetchone("SELECT * FROM article_drafts WHERE id = ?", (draft_id,))
        if row is None:
            return None
        return StoredDraft(
            id=row["id"],
            owner_id=row["owner_id"],
            guild_id=row["guild_id"],
            fields=json.loads(row["fields"]),
            created_at=row["created_at"],
        )

    async def take_draft(self, draft_id: str) -> StoredDraft | None:
        """Remove a draft and return it; of two concurrent calls only one gets it."""
        draft = await self.get_draft(draft_id)
        if draft is None:
            return None
        async with self.transaction() as db:
            cursor = await db.execute("DELETE FROM article_drafts WHERE id = ?", (draft_id,))
            if cursor.rowcount == 0:
                return None
        return draft

    async def drop_stale_drafts(self, older_than: str) -> int:
        """Forget drafts created before the ISO timestamp ``older_than``; returns how many."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM article_drafts WHERE created_at < ?", (older_than,)
            )
            return cursor.rowcount

    async def moderator_role(self, guild_id: int | str) -> int | None:
        """The role id a guild set with ``/config moderator-role``, if any."""
        row = await self._fetchone(
            "SELECT moderator_role_id FROM guild_settings WHERE guild_id = ?", (str(guild_id),)
        )
        if row is None or row["moderator_role_id"] is None:
            return None
        return int(row["moderator_role_id"])

    async def set_moderator_role(
        self, guild_id: int | str, role_id: int | str | None, *, actor_id: int | str
    ) -> None:
        """Set (or with ``None`` clear) a guild's moderator role."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, moderator_role_id, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET"
                " moderator_role_id = excluded.moderator_role_id,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (
                    str(guild_id),
                    None if role_id is None else str(role_id),
                    str(actor_id),
                    utcnow(),
                ),
            )

    async def synced_tree_hash(self, scope: str) -> str | None:
        """The command-tree hash last synced to ``scope`` ('global' or a guild id)."""
        row = await self._fetchone("SELECT tree_hash FROM command_syncs WHERE scope = ?", (scope,))
        return None if row is None else str(row["tree_hash"])

    async def record_tree_sync(self, scope: str, tree_hash: str) -> None:
        """Remember that the tree with ``tree_hash`` was synced to ``scope``."""
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO command_syncs (scope, tree_hash, synced_at) VALUES (?, ?, ?)"
                " ON CONFLICT(scope) DO UPDATE SET tree_hash = excluded.tree_hash,"
                " synced_at = excluded.synced_at",
                (scope, tree_hash, utcnow()),
            )

    async def log_channel(self, guild_id: int | str) -> str | None:
        """The channel a guild set with ``/config log-channel`` for notices, if any (its id as
        text, like every channel id the alerts keep; a name in the console)."""
        row = await self._fetchone(
            "SELECT channel_id FROM guild_log_channels WHERE guild_id = ?", (str(guild_id),)
        )
        return None if row is None else str(row["channel_id"])

    async def set_log_channel(
        self, guild_id: int | str, channel_id: int | str | None, *, actor_id: int | str
    ) -> None:
        """Set (or with ``None`` clear) the channel where a guild's moderators get notices."""
        async with self.transaction() as db:
            if channel_id is None:
                await db.execute(
                    "DELETE FROM guild_log_channels WHERE guild_id = ?", (str(guild_id),)
                )
                return
            await db.execute(
                "INSERT INTO guild_log_channels (guild_id, channel_id, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(guild_id) DO UPDATE SET"
                " channel_id = excluded.channel_id, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                (str(guild_id), str(channel_id), str(actor_id), utcnow()),
            )
