"""The real banwatch bot against the loopback Discord server, for end-to-end tests.

Other features' tests use it through the ``banwatch_bot`` fixture (tests/discord/conftest.py)
or, to add their own cogs, through :func:`start_banwatch`::

    extensions = (*EXTENSIONS, "cogs.alerts")
    async with start_banwatch(server, store, corpus_dir, extensions=extensions) as h:
        handle = h.slash("alerts subscribe", {"place": "Chicago"})
        response = await handle
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.discord.client import EXTENSIONS, BanwatchBot, sync_commands
from bot.rescans import CorpusRescans
from bot.service import Banwatch
from bot.settings import Settings
from bot.store import Store
from tests.conftest import subprocess_env
from tests.loopback.fixtures import running_bot
from tests.loopback.model import Channel, Guild, Member, Permission, Role
from tests.loopback.server import InteractionHandle, LoopbackDiscord

EPHEMERAL = 1 << 6
# The loopback server sends its guilds at once: discord.py's default 2 s wait after the last
# one (DISCORD_GUILD_READY_SECONDS) would only delay every bot the tests start.
GUILD_READY_SECONDS = 0.05
# The alerts cog matches new items and drains the outbox every second, the config cog posts
# due notices to log channels every 5 s: a test waiting for a post waited for that tick. Its
# bots run both loops every 0.2 s (the same work, sooner).
LOOP_SECONDS = 0.2


@dataclass
class BanwatchHarness:
    """A running banwatch bot and the world around it: who is who, and how to act as them."""

    server: LoopbackDiscord
    bot: BanwatchBot
    store: Store
    app: Banwatch
    guild: Guild
    channel: Channel
    member: Member
    moderator: Member
    moderator_role: Role
    rescans: CorpusRescans

    def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        as_moderator: bool = False,
        member: Member | None = None,
        channel: Channel | None = None,
    ) -> InteractionHandle:
        """Run a slash command as a plain member (default), the moderator, or ``member``."""
        who = member or (self.moderator if as_moderator else self.member)
        return self.server.dispatch_slash(
            name, options or {}, member=who, channel=channel or self.channel
        )

    def autocomplete(
        self,
        name: str,
        focused: str,
        value: str = "",
        options: dict[str, Any] | None = None,
        *,
        as_moderator: bool = False,
    ) -> InteractionHandle:
        """Type ``value`` into option ``focused`` of command ``name``."""
        who = self.moderator if as_moderator else self.member
        return self.server.dispatch_autocomplete(
            name, focused, value, options, member=who, channel=self.channel
        )

    def click(
        self,
        message: dict[str, Any] | int,
        custom_id: str,
        *,
        as_moderator: bool = False,
        member: Member | None = None,
        values: list[str] | None = None,
    ) -> InteractionHandle:
        """Press a button (or pick ``values`` in a select) on a message the bot sent."""
        who = member or (self.moderator if as_moderator else self.member)
        component_type = 3 if values is not None else 2
        return self.server.dispatch_component(
            message, custom_id, member=who, values=values, component_type=component_type
        )

    def submit_modal(
        self, opened_by: InteractionHandle, values: dict[str, str]
    ) -> InteractionHandle:
        """Fill in and submit the modal the bot opened in answer to ``opened_by``."""
        return self.server.dispatch_modal_submit(values, opened_by=opened_by)

    @staticmethod
    def is_ephemeral(response: dict[str, Any]) -> bool:
        """Whether a callback body (``{"type", "data"}``) was sent only to the caller."""
        return bool((response.get("data") or {}).get("flags", 0) & EPHEMERAL)


def loopback_settings(db_path: Path, corpus_dir: Path, server: LoopbackDiscord) -> Settings:
    """Settings pointing at the loopback server, ready as soon as its one guild arrived
    (``GUILD_READY_SECONDS``)."""
    return Settings(
        db_path=db_path,
        corpus_dir=corpus_dir,
        discord_token=server.token,
        discord_api_base=server.api_base,
        guild_ready_seconds=GUILD_READY_SECONDS,
    )


@contextlib.asynccontextmanager
async def start_banwatch(
    server: LoopbackDiscord,
    store: Store,
    corpus_dir: Path,
    *,
    extensions: Iterable[str] = EXTENSIONS,
    defer_after: float = 2.0,
    **settings_changes: Any,
) -> AsyncIterator[BanwatchHarness]:
    """Ingest ``corpus_dir`` into ``store``, start the bot against ``server``, sync its
    commands to the server's first guild, re-scan the corpus and poll the feeds as
    ``banwatch run`` does, and add a member and a moderator. ``settings_changes`` override
    the settings (e.g. ``feeds_interval_seconds=1``)."""
    settings = replace(loopback_settings(store.path, corpus_dir, server), **settings_changes)
    app = Banwatch.from_settings(store, settings)
    await app.ingest()
    bot = BanwatchBot(app, settings, extensions=extensions)
    bot.defer_after = defer_after
    guild = server.guild
    moderator_role = server.add_role("Moderators", [Permission.manage_guild], guild=guild)
    member = server.add_member("reader", guild=guild)
    moderator = server.add_member("mod", roles=[moderator_role], guild=guild)
    async with running_bot(bot, server):
        for cog_name, loop_name in (("AlertsCog", "send_loop"), ("Config", "notice_loop")):
            if (cog := bot.get_cog(cog_name)) is not None:
                getattr(cog, loop_name).change_interval(seconds=LOOP_SECONDS)
        await sync_commands(bot, guild.id)
        rescans = CorpusRescans(app, settings.rescan_seconds)
        rescans.start()
        app.feeds.start()
        try:
            yield BanwatchHarness(
                server=server,
                bot=bot,
                store=store,
                app=app,
                guild=guild,
                channel=guild.channel_named("general"),
                member=member,
                moderator=moderator,
                moderator_role=moderator_role,
                rescans=rescans,
            )
        finally:
            await app.feeds.close()
            await rescans.stop()


def bot_process_env(
    server: LoopbackDiscord, tmp_path: Path, corpus_dir: Path, **settings: str
) -> dict[str, str]:
    """The environment for a ``banwatch run`` subprocess against ``server``."""
    return subprocess_env(
        DISCORD_TOKEN=server.token,
        DISCORD_API_BASE=server.api_base,
        DEV_GUILD_ID=str(server.guild.id),
        BANWATCH_DB=str(tmp_path / "run.db"),
        BANWATCH_CORPUS=str(corpus_dir),
        DISCORD_GUILD_READY_SECONDS=str(GUILD_READY_SECONDS),
        **settings,
    )
