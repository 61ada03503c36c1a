"""Per-server settings (``/config``): who moderates, where notices go; every change is written
to the audit log. Notices for a server's moderators are posted to its log channel from here."""

from __future__ import annotations

from bot.log_notices import LogNoticeSender, NoticePoster
from bot.store import Store


class ServerConfig:
    """The settings a server's managers choose, read by the permission checks."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def moderator_role(self, guild_id: int | str) -> int | None:
        """The role whose members moderate banwatch in a server, if one is set."""
        return await self._store.moderator_role(guild_id)

    async def set_moderator_role(
        self,
        guild_id: int | str,
        role_id: int | str | None,
        *,
        actor_id: int | str,
        role_name: str | None = None,
    ) -> None:
        """Set (``None``: clear) a server's moderator role, and audit who did it."""
        await self._store.set_moderator_role(guild_id, role_id, actor_id=actor_id)
        await self._store.record_audit(
            actor_id=str(actor_id),
            guild_id=str(guild_id),
            action="config.moderator_role",
            target=str(role_id) if role_id is not None else None,
            detail={"role": role_name if role_id is not None else None},
        )

    async def log_channel(self, guild_id: int | str) -> str | None:
        """The channel where a server's moderators get notices, if one is set."""
        return await self._store.log_channel(guild_id)

    async def set_log_channel(
        self,
        guild_id: int | str,
        channel_id: int | str | None,
        *,
        actor_id: int | str,
        channel_name: str | None = None,
    ) -> None:
        """Set (``None``: clear) a server's log channel, and audit who did it."""
        await self._store.set_log_channel(guild_id, channel_id, actor_id=actor_id)
        await self._store.record_audit(
            actor_id=str(actor_id),
            guild_id=str(guild_id),
            action="config.log_channel",
            target=str(channel_id) if channel_id is not None else None,
            detail={"channel": channel_name if channel_id is not None else None},
        )

    def notice_sender(self, poster: NoticePoster) -> LogNoticeSender:
        """What posts the queued notices to each server's log channel through ``poster``."""
        return LogNoticeSender(self._store, poster)
