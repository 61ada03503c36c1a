"""Store methods for guild settings and the record of application-command syncs."""

from __future__ import annotations

from bot.store._base import BaseStore, utcnow


class GuildStore(BaseStore):
    """Per-guild settings (the moderator role) and the last synced command-tree hash."""

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
