"""Moderator commands: /article add, import, correct and remove."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.articles import MAX_IMPORT_BYTES, Actor, ArticleDraft, Moderation
from bot.discord.checks import NOT_MODERATOR, is_moderator, moderator_only, reviewer_only
from bot.discord.client import BanwatchBot, NotModerator, report_error
from bot.discord.embeds import clip, correction_embed, escape, import_embed, preview_embed
from bot.discord.permissions import Need
from bot.discord.replies import NO_MENTIONS, Reply, SafeModal, answer
from bot.errors import BanwatchError
from bot.taxonomy import ACTIONS, SCOPES

log = logging.getLogger(__name__)

# Drafts nobody published or cancelled are forgotten when the cog next loads.
DRAFT_LIFETIME = dt.timedelta(days=7)
# custom_id of a draft's buttons: article:publish:<draft id> or article:cancel:<draft id>.
DRAFT_ID = r"article:(?P<verb>publish|cancel):(?P<draft>[0-9a-f]{1,32})"

# Its answers are interaction replies, which need no channel permission (bot.discord.permissions).
PERMISSIONS: tuple[Need, ...] = ()


def actor_of(interaction: discord.Interaction) -> Actor:
    """The audit-log identity of whoever triggered ``interaction``."""
    guild = str(interaction.guild_id) if interaction.guild_id else None
    return Actor(user_id=str(interaction.user.id), guild_id=guild)


class DraftButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=DRAFT_ID):
    """Publish or Cancel under a draft's preview.

    A dynamic item: the draft id lives in the custom_id and the draft in the store, so the
    buttons still work after a restart. Only the draft's author may press them, and only
    while still a moderator.
    """

    def __init__(self, verb: str, draft_id: str) -> None:
        publish = verb == "publish"
        super().__init__(
            discord.ui.Button(
                label="Publish" if publish else "Cancel",
                style=discord.ButtonStyle.green if publish else discord.ButtonStyle.secondary,
                custom_id=f"article:{verb}:{draft_id}",
            )
        )
        self.verb = verb
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DraftButton:
        return cls(match["verb"], match["draft"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Publish the draft (shows what was stored) or drop it."""
        try:
            await self._act(interaction)
        except Exception as error:  # a dynamic item has no on_error: report it like a command's
            await report_error(interaction, error)

    async def _act(self, interaction: discord.Interaction) -> None:
        if not await is_moderator(interaction):
            raise NotModerator(NOT_MODERATOR)
        moderation = interaction.client.app.articles  # type: ignore[attr-defined]
        actor = actor_of(interaction)
        if self.verb == "cancel":
            await moderation.cancel_draft(self.draft_id, actor)
            await interaction.response.edit_message(
                content="Cancelled: nothing was stored.", embed=None, view=None
            )
            return
        published = await moderation.publish_draft(self.draft_id, actor)
        await interaction.response.edit_message(
            content=f"Published `{published.article.id}` ({published.outcome}).",
            embed=preview_embed(published.article, "Published"),
            view=None,
            allowed_mentions=NO_MENTIONS,
        )


def draft_view(draft_id: str) -> discord.ui.View:
    """The Publish / Cancel buttons for one stored draft."""
    view = discord.ui.View(timeout=None)
    view.add_item(DraftButton("publish", draft_id))
    view.add_item(DraftButton("cancel", draft_id))
    return view


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
        draft_id, preview = await self.moderation.save_draft(draft, actor_of(interaction))
        await interaction.response.send_message(
            content="Check what I read, then publish or cancel.",
            embed=preview_embed(preview.article, "Preview"),
            view=draft_view(draft_id),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


class Articles(
    commands.GroupCog, group_name="article", group_description="Moderators: manage articles"
):
    """Moderator intake and corrections; every action is written to the audit log."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.moderation = bot.app.articles
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DraftButton)
        cutoff = dt.datetime.now(dt.UTC) - DRAFT_LIFETIME
        dropped = await self.moderation.drop_stale_drafts(cutoff)
        if dropped:
            log.info("dropped %d article drafts older than %s", dropped, DRAFT_LIFETIME)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DraftButton)

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
            raise BanwatchError(
                f"{escape(file.filename)} is {file.size / (1024 * 1024):.1f} MiB; the limit is"
                f" {MAX_IMPORT_BYTES // (1024 * 1024)} MiB. Nothing was imported."
            )

        async def work() -> Reply:
            try:
                data = await file.read()
            except discord.HTTPException as exc:
                raise BanwatchError("I could not download that file; attach it again.") from exc
            result = await self.moderation.import_file(data, file.filename, actor_of(interaction))
            return Reply(embeds=[import_embed(result)])

        await answer(interaction, work(), ephemeral=True)

    @app_commands.command(name="correct")
    @app_commands.describe(
        id="The article id (shown by /search and /news)",
        place="The place it is really about",
        action="What really happened",
        scope="Whose use it concerns",
        is_policy="Whether it is policy news at all",
        event_date="When it really happened, e.g. 2020-02-04",
    )
    @app_commands.choices(
        action=[app_commands.Choice(name=a, value=a) for a in ACTIONS],
        scope=[app_commands.Choice(name=s, value=s) for s in SCOPES],
    )
    @reviewer_only()
    async def article_correct(
        self,
        interaction: discord.Interaction,
        id: app_commands.Range[str, 1, 40],
        place: app_commands.Range[str, 1, 200] | None = None,
        action: app_commands.Choice[str] | None = None,
        scope: app_commands.Choice[str] | None = None,
        is_policy: bool | None = None,
        event_date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        """Correct an article's place, action, scope, policy flag or event date."""

        async def work() -> Reply:
            result = await self.moderation.correct_article(
                id,
                actor_of(interaction),
                place=place,
                action=action.value if action else None,
                scope=scope.value if scope else None,
                is_policy=is_policy,
                event_date=event_date,
            )
            return Reply(
                content=f"Corrected `{result.article.id}`; this now wins over the automatic"
                " reading.",
                embeds=[correction_embed(result.article, result.before)],
            )

        await answer(interaction, work(), ephemeral=True)

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

        async def work() -> Reply:
            article = await self.moderation.remove_article(id, actor_of(interaction), reason or "")
            return Reply(content=clip(f"Removed `{article.id}`: {escape(article.title)}", 2000))

        await answer(interaction, work(), ephemeral=True)

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
