"""Answering interactions: defer slow work, send safely, report errors from views and modals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.discord.client import report_error

NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(slots=True)
class Reply:
    """What to send: text, embeds and an optional view."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    # Overrides the command's choice when answered at once (e.g. a question back to the user).
    ephemeral: bool | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for send_message / edit_original_response."""
        options: dict[str, Any] = {
            "content": self.content,
            "embeds": self.embeds,
            "allowed_mentions": NO_MENTIONS,
        }
        if self.view is not None:
            options["view"] = self.view
        return options


async def answer(
    interaction: discord.Interaction, work: Awaitable[Reply], *, ephemeral: bool = False
) -> None:
    """Send what ``work`` produces; when it takes longer than the bot's ``defer_after``,
    defer first (Discord drops an interaction not answered within 3 s)."""
    task = asyncio.ensure_future(work)
    timeout = getattr(interaction.client, "defer_after", 2.0)
    try:
        reply = await asyncio.wait_for(asyncio.shield(task), timeout)
    except TimeoutError:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        try:
            reply = await task
        except BaseException:
            task.cancel()
            raise
        await interaction.edit_original_response(**reply.kwargs())
        return
    except BaseException:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise
    if reply.ephemeral is not None:
        ephemeral = reply.ephemeral
    await interaction.response.send_message(**reply.kwargs(), ephemeral=ephemeral)


class SafeView(discord.ui.View):
    """A view whose errors reach the same handler as commands' errors."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class OwnerView(SafeView):
    """A view only the member it was made for may use; anyone else gets a polite private no."""

    refusal = "These buttons belong to whoever ran the command; run it yourself to get your own."

    def __init__(self, owner_id: int, *, timeout: float | None = 300) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(self.refusal, ephemeral=True)
        return False


class SafeModal(discord.ui.Modal):
    """A modal whose errors reach the same handler as commands' errors."""

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error)
