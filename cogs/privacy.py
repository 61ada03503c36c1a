"""/privacy mydata and /privacy forget: see or erase everything banwatch holds about you."""

from __future__ import annotations

import io
import json

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import BanwatchBot
from bot.discord.embeds import clip
from bot.discord.permissions import Need
from bot.discord.replies import OwnerView
from bot.privacy import render_forget, render_mydata

# Its answers are interaction replies, which need no channel permission (bot.discord.permissions).
PERMISSIONS: tuple[Need, ...] = ()


class ForgetConfirmation(OwnerView):
    """The button that confirms erasing the caller's data."""

    def __init__(self, cog: PrivacyCog, owner_id: int) -> None:
        super().__init__(owner_id, timeout=300)
        self.cog = cog

    @discord.ui.button(label="Yes, erase everything", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ForgetConfirmation]
    ) -> None:
        """Erase, then refresh the counts of petitions the user had signed."""
        signed = await self.cog.privacy.signed_petitions(str(self.owner_id))
        report = await self.cog.privacy.forget(str(self.owner_id))
        await interaction.response.edit_message(content=render_forget(report), view=None)
        self.stop()
        petitions = self.cog.bot.get_cog("Petitions")
        for petition_id in signed:
            if petitions is not None:
                await petitions.refresh_posts(petition_id)  # type: ignore[attr-defined]

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[ForgetConfirmation]
    ) -> None:
        """Keep everything."""
        await interaction.response.edit_message(content="Nothing was erased.", view=None)
        self.stop()


class PrivacyCog(commands.GroupCog, name="Privacy", group_name="privacy"):
    """What banwatch holds about the caller, and erasing it."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.privacy = bot.app.privacy
        super().__init__()

    @app_commands.command(name="mydata")
    async def privacy_mydata(self, interaction: discord.Interaction) -> None:
        """Everything banwatch holds about you (only to you, with a JSON file)."""
        data = await self.privacy.mydata(str(interaction.user.id))
        content = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
        await interaction.response.send_message(
            clip(render_mydata(data), 2000),
            file=discord.File(io.BytesIO(content), filename="banwatch-mydata.json"),
            ephemeral=True,
        )

    @app_commands.command(name="forget")
    async def privacy_forget(self, interaction: discord.Interaction) -> None:
        """Erase everything banwatch holds about you, signatures included (asks first)."""
        await interaction.response.send_message(
            "This erases everything banwatch holds about you, including your signatures"
            " (petition counts go down). It can't be undone.",
            view=ForgetConfirmation(self, interaction.user.id),
            ephemeral=True,
        )


async def setup(bot: BanwatchBot) -> None:
    """Load the cog."""
    await bot.add_cog(PrivacyCog(bot))
