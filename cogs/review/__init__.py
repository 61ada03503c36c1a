"""Review: /review (the home server's moderators answer the queue) and /report (any server's
moderators point the reviewers at a reading)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.checks import moderator_only, reviewer_only
from bot.discord.client import BanwatchBot
from bot.discord.permissions import Need
from bot.discord.replies import Reply, answer
from bot.review import QUEUE_EMPTY
from cogs.review._views import (
    ActionSelect,
    PlaceSelect,
    ReviewButton,
    actor_of,
    review_embed,
    review_view,
)

# Its answers (the queue, the buttons' forms) are private interaction replies, which need no
# channel permission.
PERMISSIONS: tuple[Need, ...] = ()


class ReviewCog(commands.Cog, name="Review"):
    """The review queue for the home server's moderators, and reports from any server's."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.review = bot.app.review

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReviewButton, ActionSelect, PlaceSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReviewButton, ActionSelect, PlaceSelect)

    @app_commands.command(name="review")
    @app_commands.describe(item="An article id to review (default: the next in the queue)")
    @reviewer_only()
    async def review_next(
        self, interaction: discord.Interaction, item: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        """Moderators of the home server: confirm or correct uncertain readings."""

        async def work() -> Reply:
            # Ordering the queue reads the places' events: deferred if it takes a while.
            found = await self.review.item(item) if item else await self.review.next_item()
            if found is None:
                return Reply(content=QUEUE_EMPTY)
            return Reply(embeds=[review_embed(found)], view=review_view(found))

        await answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="report")
    @app_commands.describe(
        item="The article id (shown by /search and /news)", reason="What looks wrong"
    )
    @moderator_only()
    async def review_report(
        self,
        interaction: discord.Interaction,
        item: app_commands.Range[str, 1, 40],
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        """Ask the home server's moderators to check an item's reading."""
        found = await self.review.report(item, actor_of(interaction), reason)
        await interaction.response.send_message(
            f"Reported `{found.article.id}` to the reviewers; it is in their queue now.",
            ephemeral=True,
        )


async def setup(bot: BanwatchBot) -> None:
    """Load the review commands."""
    await bot.add_cog(ReviewCog(bot))
