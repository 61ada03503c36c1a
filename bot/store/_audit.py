"""Store methods for the audit log: who did what, in which guild."""

from __future__ import annotations

import json

from bot.models import AuditEntry
from bot.store._base import BaseStore, utcnow


class AuditStore(BaseStore):
    """The audit log of moderator and manager actions."""

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
