"""The petition embed: demand, target, progress toward the goal, deadline and status."""

from __future__ import annotations

import discord

from bot.discord.embeds import clip, escape
from bot.petitions import Petition, progress_bar


def escape_lines(text: str) -> str:
    """User text shown literally, keeping its line breaks (``escape`` makes one line)."""
    return "\n".join(escape(line) for line in text.splitlines())


def petition_embed(petition: Petition, *, history: int = 0) -> discord.Embed:
    """A petition with its progress toward the goal (counts only, never signers)."""
    embed = discord.Embed(
        title=clip(f"#{petition.id} {petition.title}", 256),
        description=clip(escape_lines(petition.demand), 4000),
        colour=discord.Colour.green() if petition.status == "open" else discord.Colour.dark_grey(),
    )
    embed.add_field(name="To", value=clip(escape(petition.target), 1024), inline=True)
    if petition.jurisdiction:
        embed.add_field(name="Place", value=clip(escape(petition.jurisdiction), 1024))
    embed.add_field(
        name="Signatures",
        value=f"{petition.signature_count:,} of {petition.goal:,}\n"
        f"`{progress_bar(petition.signature_count, petition.goal)}`",
        inline=False,
    )
    if petition.deadline:
        embed.add_field(name="Deadline", value=petition.deadline[:10])
    embed.add_field(name="Status", value=petition.status)
    footer = "Sign with the button or /petition sign. /privacy mydata shows what is kept."
    if history:
        footer = (
            f"Edited {history} time(s); /petition show {petition.id} for the history. " + footer
        )
    embed.set_footer(text=footer)
    return embed
