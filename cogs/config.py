"""Server settings: /config moderator-role and log-channel."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.checks import manager_only
from bot.discord.client import BanwatchBot
from bot.discord.embeds import escape
from bot.discord.replies import NO_MENTIONS


class Config(
    commands.GroupCog, group_name="config", group_description="Server settings for banwatch"
):
    """Settings a server's managers choose; changes are written to the audit log."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.config = bot.app.config
        super().__init__()

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
        channel="Where moderators get notices (alerts broken or working again); empty to clear"
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
            else "Log channel cleared: notices go to the channel where an alert was set up."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: BanwatchBot) -> None:
    """Load the settings commands."""
    await bot.add_cog(Config(bot))
