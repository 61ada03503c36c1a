"""The Discord client: a thin ``commands.Bot`` over the core, its error handling and syncing."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.service import Banwatch, BanwatchError
from bot.settings import Settings

log = logging.getLogger(__name__)

# The cogs shipped with banwatch, loaded in this order. Feature modules add theirs here.
EXTENSIONS: tuple[str, ...] = (
    "cogs.tracker",
    "cogs.articles",
    "cogs.config",
    "cogs.alerts",
    "cogs.petitions",
    "cogs.privacy",
    "cogs.review",
    "cogs.feeds",
    "cogs.map",
)

# Work that takes longer than this defers the interaction first (Discord allows 3 s).
DEFER_AFTER_SECONDS = 2.0

UNEXPECTED_ERROR = "Sorry, something went wrong on my side. It has been logged."


def bot_intents() -> discord.Intents:
    """Only the guilds intent: slash commands need no privileged intents, no message content."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class NotModerator(app_commands.CheckFailure):
    """The user may not use a moderator command; the message is shown to them."""


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer only the caller, whether or not the interaction was answered already."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    """Turn an error into a short ephemeral reply; log a traceback for anything unexpected."""
    original: BaseException = error
    if isinstance(error, app_commands.CommandInvokeError):
        original = error.original
    elif isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
        original = error.__cause__
    if isinstance(original, BanwatchError):
        text = str(original)
    elif isinstance(original, app_commands.CheckFailure):
        text = str(original) or "You can't use this command here."
    elif isinstance(original, app_commands.CommandOnCooldown):
        text = f"Slow down: try again in {original.retry_after:.0f} s."
    else:
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "interaction failed (command %s, type %s)",
            name,
            interaction.type,
            exc_info=original,
        )
        text = UNEXPECTED_ERROR
    await send_ephemeral(interaction, text[:2000])


class BanwatchTree(app_commands.CommandTree):
    """The command tree: domain errors become short ephemeral replies; the rest are logged."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class BanwatchBot(commands.Bot):
    """The banwatch bot: holds the core and settings; ``setup_hook`` only loads extensions."""

    def __init__(
        self,
        app: Banwatch,
        settings: Settings,
        *,
        extensions: Iterable[str] = EXTENSIONS,
        **options: Any,
    ) -> None:
        options.setdefault("guild_ready_timeout", settings.guild_ready_seconds)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            tree_cls=BanwatchTree,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.app = app
        self.settings = settings
        self.extension_names = tuple(extensions)
        self.defer_after = DEFER_AFTER_SECONDS

    async def setup_hook(self) -> None:
        for name in self.extension_names:
            await self.load_extension(name)

    async def on_ready(self) -> None:
        # After every (re)connection; operators and scripts wait for this line.
        log.info("ready: connected as %s, in %d server(s)", self.user, len(self.guilds))


def command_tree_hash(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> str:
    """A hash of what a sync would send for ``guild`` (None: global commands)."""
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    payload.sort(key=lambda item: (item.get("type", 1), item["name"]))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_commands(
    bot: BanwatchBot, guild_id: int | None = None, *, force: bool = False
) -> int | None:
    """Sync the command tree globally or to one guild when it changed since the last sync
    (always with ``force``); returns how many commands were synced, None when skipped."""
    guild = discord.Object(guild_id) if guild_id else None
    if guild is not None:
        bot.tree.copy_global_to(guild=guild)
    scope = str(guild_id) if guild_id else "global"
    digest = command_tree_hash(bot.tree, guild)
    if not force and await bot.app.synced_tree_hash(scope) == digest:
        log.info("application commands unchanged since the last sync (%s)", scope)
        return None
    synced = await bot.tree.sync(guild=guild)
    await bot.app.record_tree_sync(scope, digest)
    log.info("synced %d application commands (%s)", len(synced), scope)
    return len(synced)


async def log_in(client: discord.Client, token: str, settings: Settings) -> str | None:
    """Log in (REST only, no gateway yet); why not in words, never showing the token, or
    None when Discord accepted it."""
    where = settings.discord_api_base or "discord.com"
    try:
        await client.login(token)
    except discord.LoginFailure:
        return "Discord refused the token (DISCORD_TOKEN)"
    except (aiohttp.ClientError, OSError) as exc:
        return f"can't reach {where}: {exc}"
    except discord.HTTPException as exc:
        return f"{where} answered {exc.status} when logging in"
    return None
