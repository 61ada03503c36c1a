"""Server settings: /config moderator-role, log-channel and confidence-threshold; the notices
posted to log channels."""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord.checks import home_guild_id, manager_only
from bot.discord.client import BanwatchBot
from bot.discord.embeds import escape
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS
from bot.log_notices import NoticeUndeliverable
from bot.models import CONSOLE_GUILD

log = logging.getLogger(__name__)

NOTICE_INTERVAL_SECONDS = 5.0


class DiscordNoticePoster:
    """Posts a notice to a channel with a nonce, so a retry after a crash is not a repeat."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot

    async def post(self, channel_id: str, text: str, nonce: str) -> str:
        """Send ``text`` (markdown and mentions escaped) and return the message id."""
        channel = self.bot.get_partial_messageable(int(channel_id))
        try:
            message = await channel.send(escape(text), nonce=nonce, allowed_mentions=NO_MENTIONS)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise NoticeUndeliverable(f"{exc.status} {exc.text or 'refused'}") from exc
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise NoticeUndeliverable(str(exc) or type(exc).__name__) from exc
        return str(message.id)


# Notices (plain text) go to each server's log channel; `banwatch doctor` checks it ("log").
PERMISSIONS = (
    Need("view_channel", "see the log channel moderators' notices go to", ("log",)),
    Need(
        "send_messages",
        "post notices for moderators (a feed failing or recovered) in the log channel",
        ("log",),
    ),
)


class Config(
    commands.GroupCog, group_name="config", group_description="Server settings for banwatch"
):
    """Settings a server's managers choose (changes are written to the audit log), and the
    loop that posts notices to each server's log channel."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.config = bot.app.config
        self.notices = self.config.notice_sender(DiscordNoticePoster(bot))
        super().__init__()

    async def cog_load(self) -> None:
        self.notice_loop.start()

    async def cog_unload(self) -> None:
        self.notice_loop.cancel()

    @tasks.loop(seconds=NOTICE_INTERVAL_SECONDS)
    async def notice_loop(self) -> None:
        """Post the notices that are due; an exception is logged and the loop goes on."""
        try:
            await self.notices.run_once(home_guild_id(self.bot), except_guild=CONSOLE_GUILD)
        except Exception:
            log.exception("config: posting notices to log channels failed; trying again soon")

    @notice_loop.before_loop
    async def _before_notices(self) -> None:
        await self.bot.wait_until_ready()

    @app_commands.command(name="moderator-role")
    @app_commands.describe(
        role="Members with this role may add and correct articles; leave empty to clear"
    )
    @manager_only()
    async def config_moderator_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        """Choose the role whose members are banwatch moderators."""
        assert interaction.guild_id is not None  # manager_only refuses DMs
        await self.config.set_moderator_role(
            interaction.guild_id,
            role.id if role else None,
            actor_id=interaction.user.id,
            role_name=role.name if role else None,
        )
        text = (
            f"Members with the role **{escape(role.name)}** are now banwatch moderators."
            if role
            else "Moderator role cleared: only members with Manage Server are moderators."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="log-channel")
    @app_commands.describe(
        channel="Where moderators get notices (a feed failing or recovered); empty to clear"
    )
    @manager_only()
    async def config_log_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Choose the channel where banwatch tells this server's moderators what went wrong."""
        assert interaction.guild_id is not None  # manager_only refuses DMs
        await self.config.set_log_channel(
            interaction.guild_id,
            channel.id if channel else None,
            actor_id=interaction.user.id,
            channel_name=channel.name if channel else None,
        )
        text = (
            f"Notices for moderators now go to <#{channel.id}>."
            if channel
            else "Log channel cleared: notices go to the channel where a feed was added."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="confidence-threshold")
    @app_commands.describe(
        threshold="From 0 to 1 (or a percentage), e.g. 0.8; leave empty for the default"
    )
    @manager_only()
    async def config_confidence_threshold(
        self, interaction: discord.Interaction, threshold: str | None = None
    ) -> None:
        """How sure an automatic reading must be not to be marked unconfirmed or held."""
        assert interaction.guild_id is not None  # manager_only refuses DMs
        value = await self.bot.app.review.set_threshold(
            str(interaction.guild_id), threshold, str(interaction.user.id)
        )
        await interaction.response.send_message(
            threshold_text(value), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


def threshold_text(value: float) -> str:
    """What a threshold means, in words."""
    return (
        f"Confidence threshold: {value:.0%}. Automatic readings less sure than that are shown"
        " as unconfirmed here, and held for review by subscriptions that hold uncertain items."
    )


async def setup(bot: BanwatchBot) -> None:
    """Load the settings commands."""
    await bot.add_cog(Config(bot))
