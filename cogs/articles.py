"""Moderator commands: /article add, import, correct and remove."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import BanwatchBot
from bot.moderation import MAX_IMPORT_BYTES, Actor, ArticleDraft, ArticlePreview, Moderation
from bot.service import BanwatchError
from bot.taxonomy import ACTIONS, SCOPES
from cogs._embeds import escape, preview_embed
from cogs._replies import NO_MENTIONS, Reply, SafeModal, SafeView, answer
from cogs.checks import moderator_only


def actor_of(interaction: discord.Interaction) -> Actor:
    """The audit-log identity of whoever triggered ``interaction``."""
    guild = str(interaction.guild_id) if interaction.guild_id else None
    return Actor(user_id=str(interaction.user.id), guild_id=guild)


class PublishView(SafeView):
    """Publish / Cancel under a preview; only the moderator who made it can press them."""

    def __init__(self, moderation: Moderation, preview: ArticlePreview, owner_id: int) -> None:
        super().__init__(timeout=900)
        self.moderation = moderation
        self.preview = preview
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Only the moderator who wrote this draft can publish it.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(
        label="Publish", custom_id="article:publish", style=discord.ButtonStyle.green
    )
    async def publish(
        self, interaction: discord.Interaction, button: discord.ui.Button[PublishView]
    ) -> None:
        """Store the article; /status, /news and /search see it from now on."""
        published = await self.moderation.publish_article(self.preview, actor_of(interaction))
        self.stop()
        await interaction.response.edit_message(
            content=f"Published `{published.article.id}` ({published.outcome}).",
            embed=preview_embed(published.article, "Published"),
            view=None,
            allowed_mentions=NO_MENTIONS,
        )

    @discord.ui.button(
        label="Cancel", custom_id="article:cancel", style=discord.ButtonStyle.secondary
    )
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[PublishView]
    ) -> None:
        """Drop the draft."""
        self.stop()
        await interaction.response.edit_message(
            content="Cancelled: nothing was stored.", embed=None, view=None
        )


class ArticleModal(SafeModal, title="Add an article"):
    """The fields of a new article; submitting shows what the extractor read from it."""

    headline = discord.ui.TextInput(label="Title", custom_id="title", max_length=500)
    url = discord.ui.TextInput(label="URL", custom_id="url", required=False, max_length=2000)
    date = discord.ui.TextInput(
        label="Date (e.g. 2020-02-04)", custom_id="date", required=False, max_length=40
    )
    provider = discord.ui.TextInput(
        label="Provider (e.g. WGN-TV)", custom_id="provider", required=False, max_length=200
    )
    text = discord.ui.TextInput(
        label="Text or excerpt",
        custom_id="text",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=4000,
    )

    def __init__(self, moderation: Moderation) -> None:
        super().__init__(timeout=1800)
        self.moderation = moderation

    async def on_submit(self, interaction: discord.Interaction) -> None:
        draft = ArticleDraft(
            title=self.headline.value,
            url=self.url.value,
            date=self.date.value,
            provider=self.provider.value,
            text=self.text.value,
        )
        preview = await self.moderation.preview_article(draft)
        await interaction.response.send_message(
            content="Check what I read, then publish or cancel.",
            embed=preview_embed(preview.article, "Preview"),
            view=PublishView(self.moderation, preview, interaction.user.id),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


class Articles(
    commands.GroupCog, group_name="article", group_description="Moderators: manage articles"
):
    """Moderator intake and corrections; every action is written to the audit log."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.moderation = Moderation(bot.app)
        super().__init__()

    @app_commands.command(name="add")
    @moderator_only()
    async def article_add(self, interaction: discord.Interaction) -> None:
        """Add an article: fill in the form, check the reading, publish."""
        await interaction.response.send_modal(ArticleModal(self.moderation))

    @app_commands.command(name="import")
    @app_commands.describe(file="A corpus file: YAML front matter or plain text")
    @moderator_only()
    async def article_import(
        self, interaction: discord.Interaction, file: discord.Attachment
    ) -> None:
        """Import the articles of an attached corpus file."""
        if file.size > MAX_IMPORT_BYTES:
            raise BanwatchError(f"That file is over {MAX_IMPORT_BYTES // (1024 * 1024)} MiB.")

        async def work() -> Reply:
            data = await file.read()
            result = await self.moderation.import_file(data, file.filename, actor_of(interaction))
            return Reply(content=escape(result.render())[:2000])

        await answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="correct")
    @app_commands.describe(
        id="The article id (shown by /search and /news)",
        place="The place it is really about",
        action="What really happened",
        scope="Whose use it concerns",
        is_policy="Whether it is policy news at all",
    )
    @app_commands.choices(
        action=[app_commands.Choice(name=a, value=a) for a in ACTIONS],
        scope=[app_commands.Choice(name=s, value=s) for s in SCOPES],
    )
    @moderator_only()
    async def article_correct(
        self,
        interaction: discord.Interaction,
        id: app_commands.Range[str, 1, 40],
        place: app_commands.Range[str, 1, 200] | None = None,
        action: app_commands.Choice[str] | None = None,
        scope: app_commands.Choice[str] | None = None,
        is_policy: bool | None = None,
    ) -> None:
        """Correct an article's place, action, scope or policy flag."""
        result = await self.moderation.correct_article(
            id,
            actor_of(interaction),
            place=place,
            action=action.value if action else None,
            scope=scope.value if scope else None,
            is_policy=is_policy,
        )
        await interaction.response.send_message(
            content=f"Corrected `{result.article.id}`; this now wins over the automatic reading.",
            embed=preview_embed(result.article, "Corrected"),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="remove")
    @app_commands.describe(
        id="The article id (shown by /search and /news)", reason="Why (kept in the audit log)"
    )
    @moderator_only()
    async def article_remove(
        self,
        interaction: discord.Interaction,
        id: app_commands.Range[str, 1, 40],
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        """Retract an article from every answer."""
        article = await self.moderation.remove_article(id, actor_of(interaction), reason or "")
        await interaction.response.send_message(
            content=f"Removed `{article.id}`: {escape(article.title)}"[:2000],
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @article_correct.autocomplete("place")
    async def place_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Known places matching what is typed."""
        choices = await self.bot.app.place_choices(current)
        return [app_commands.Choice(name=c.label[:100], value=c.value[:100]) for c in choices]


async def setup(bot: BanwatchBot) -> None:
    """Load the moderator article commands."""
    await bot.add_cog(Articles(bot))
