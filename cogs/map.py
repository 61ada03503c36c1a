"""The map: /map posts a picture of where facial recognition is banned, paused, restricted
or pending."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import BanwatchBot
from bot.discord.embeds import clip, escape
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS
from bot.map import REGIONS

# Discord's limit on a message's text.
MAX_CONTENT = 2000

PERMISSIONS = (Need("attach_files", "/map posts its picture as a PNG file, for everyone to see"),)


class Map(commands.Cog):
    """Draws the tracked places, coloured by status, as a PNG."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.map = bot.app.map

    @app_commands.command(name="map")
    @app_commands.describe(
        region="Which part of the world to draw (default: the United States)",
        state="One US state instead, by its code (e.g. MA)",
    )
    @app_commands.choices(
        region=[app_commands.Choice(name=name, value=key) for key, name in REGIONS.items()]
    )
    async def map_show(
        self,
        interaction: discord.Interaction,
        region: app_commands.Choice[str] | None = None,
        state: app_commands.Range[str, 2, 2] | None = None,
    ) -> None:
        """A map of where facial recognition is banned, paused, restricted or pending."""
        chosen = region.value if region else "us"
        # A wrong state is refused privately, before the public "thinking…" message.
        self.map.check(chosen, state)
        # Drawing takes a second or two: answer Discord at once, post the picture after.
        await interaction.response.defer(thinking=True)
        picture = await self.map.picture(chosen, state, guild_id=interaction.guild_id)
        await interaction.followup.send(
            content=clip(escape(picture.caption()), MAX_CONTENT),
            file=discord.File(io.BytesIO(picture.png), filename="banwatch-map.png"),
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: BanwatchBot) -> None:
    """Load the map command."""
    await bot.add_cog(Map(bot))
