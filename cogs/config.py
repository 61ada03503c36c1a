"""Guild settings: /config moderator-role."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.checks import manager_only
from bot.discord.client import BanwatchBot
from bot.discord.embeds import escape
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS

# Its answers are interaction replies, which need no channel permission (bot.discord.permissions).
PERMISSIONS: tuple[Need, ...] = ()


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


async def setup(bot: BanwatchBot) -> None:
    """Load the settings commands."""
    await bot.add_cog(Config(bot))
