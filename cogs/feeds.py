"""News feeds on Discord: /feeds add, list, remove, check and why, for the moderators of the
home server (feed items join the one corpus every server shares).

The polling itself runs with the bot (``bot.discord.runner`` starts it), not in this cog:
unloading the commands does not stop the news.
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.checks import home_moderator_only
from bot.discord.client import BanwatchBot
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS, Reply, answer

# Its answers are private interaction replies, which need no channel permission; feed notices
# are posted by the config cog's log-channel loop (cogs.config declares that).
PERMISSIONS: tuple[Need, ...] = ()

# A reply is one message: longer text goes in an attached file.
MESSAGE_LIMIT = 1900


def block(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Text from feeds shown literally in a code block (no markdown, no mentions), cut to
    fit ``limit`` characters with the block closed."""
    inner = text.replace("`", "'")
    if len(inner) > limit - 8:
        inner = inner[: limit - 9] + "…"
    return "```\n" + inner + "\n```"


class FeedsCog(
    commands.GroupCog, group_name="feeds", group_description="News feeds banwatch follows"
):
    """The feed list, its health, and why an item was or wasn't taken."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.feeds = bot.app.feeds
        super().__init__()

    async def feed_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Feeds by number, URL or title."""
        return [
            app_commands.Choice(name=label, value=value)
            for label, value in await self.feeds.choices(current)
        ]

    @app_commands.command(name="add")
    @app_commands.describe(
        url="The feed's address (RSS or Atom), e.g. a news search for facial recognition",
        every_minutes="How often to poll it (5-1440 minutes; default 15)",
    )
    @home_moderator_only()
    async def feeds_add(
        self,
        interaction: discord.Interaction,
        url: str,
        every_minutes: app_commands.Range[int, 5, 1440] | None = None,
    ) -> None:
        """Follow a news feed: its facial-recognition items join the corpus and the alerts."""

        async def work() -> Reply:
            feed = await self.feeds.add(
                url,
                actor_id=str(interaction.user.id),
                guild_id=str(interaction.guild_id),
                channel_id=str(interaction.channel_id) if interaction.channel_id else None,
                every_minutes=every_minutes,
            )
            checked = await self.feeds.check(feed.id)
            return Reply(f"Following feed #{feed.id}.\n" + block(checked, MESSAGE_LIMIT - 40))

        await answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="list")
    @home_moderator_only()
    async def feeds_list(self, interaction: discord.Interaction) -> None:
        """Every feed with its health: last success, last error, items taken and skipped."""
        text = await self.feeds.list_text()
        if len(text) + 8 <= MESSAGE_LIMIT:
            await interaction.response.send_message(
                block(text), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        head = text[: text.rfind("\n#", 0, MESSAGE_LIMIT - 100)]
        await interaction.response.send_message(
            block(head) + "\nEvery feed is in the attached file.",
            file=discord.File(io.BytesIO(text.encode()), filename="feeds.txt"),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="remove")
    @app_commands.describe(feed="The feed's number (shown by /feeds list) or its URL")
    @app_commands.autocomplete(feed=feed_choices)
    @home_moderator_only()
    async def feeds_remove(self, interaction: discord.Interaction, feed: str) -> None:
        """Stop following a feed (the items it brought stay in the corpus)."""
        removed = await self.feeds.remove(
            feed, actor_id=str(interaction.user.id), guild_id=str(interaction.guild_id)
        )
        await interaction.response.send_message(
            f"Stopped following feed #{removed.id}:" + block(removed.url),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="check")
    @app_commands.describe(feed="The feed to poll now (number or URL); empty: every feed soon")
    @app_commands.autocomplete(feed=feed_choices)
    @home_moderator_only()
    async def feeds_check(self, interaction: discord.Interaction, feed: str | None = None) -> None:
        """Poll a feed now and show its health."""

        async def work() -> Reply:
            return Reply(block(await self.feeds.check(feed)))

        await answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="why")
    @app_commands.describe(item_url="The link of the item a feed showed")
    @home_moderator_only()
    async def feeds_why(self, interaction: discord.Interaction, item_url: str) -> None:
        """Why an item from a feed was taken into the corpus, or skipped."""
        text = await self.feeds.why(item_url)
        await interaction.response.send_message(
            block(text), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: BanwatchBot) -> None:
    """Load the feeds commands."""
    await bot.add_cog(FeedsCog(bot))
