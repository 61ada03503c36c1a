"""The review message and its persistent components: the buttons, the action and place
menus, and the Change place form."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from bot.articles import Actor, reading_fields
from bot.discord.checks import ensure_reviewer
from bot.discord.client import report_error
from bot.discord.embeds import SafeEmbed, clip, escape, link
from bot.discord.replies import NO_MENTIONS, SafeModal
from bot.errors import AmbiguousPlace
from bot.review import QUEUE_EMPTY, Review, ReviewItem, ReviewOutcome, place_candidates
from bot.taxonomy import ACTION_LABELS, ACTIONS

log = logging.getLogger(__name__)
T = TypeVar("T")

# Persistent: a review message's components carry the article and the token of the reading
# shown (see bot.review), so they keep working after a restart and know a stale answer.
_IDS = r":(?P<article>[A-Za-z0-9]{1,40}):(?P<token>[0-9a-f]{1,16})"
BUTTON_ID = r"review:(?P<verb>confirm|reject|action|place|skip)" + _IDS
ACTION_SELECT_ID = r"review:pick-action" + _IDS
PLACE_SELECT_ID = r"review:pick-place" + _IDS
STALE = (
    "Another moderator changed this reading while you looked at it; nothing was stored."
    " Here it is now: answer again."
)
BUTTONS = (
    ("confirm", "Confirm", discord.ButtonStyle.success),
    ("reject", "Not policy", discord.ButtonStyle.danger),
    ("action", "Change action", discord.ButtonStyle.secondary),
    ("place", "Change place", discord.ButtonStyle.secondary),
    ("skip", "Skip", discord.ButtonStyle.secondary),
)


def actor_of(interaction: discord.Interaction) -> Actor:
    """The audit-log identity of whoever triggered ``interaction``."""
    guild = str(interaction.guild_id) if interaction.guild_id else None
    return Actor(user_id=str(interaction.user.id), guild_id=guild)


def review_embed(item: ReviewItem, heading: str = "") -> discord.Embed:
    """One item as a reviewer sees it: headline and link, reading, confidence, reports."""
    article = item.article
    builder = SafeEmbed(
        clip(escape(item.headline), 256),
        link(article.url or "", article.url) if article.url else "",
        url=article.url,
    )
    date = article.published_at.date().isoformat() if article.published_at else "undated"
    source = escape(article.provider_name or article.provider_domain or "unknown")
    builder.field("Source", f"{source} · {date} · `{article.id}`")
    reading = "\n".join(
        f"**{label}:** {escape(value)}" for label, value in reading_fields(article.extraction)
    )
    builder.field("Reading", reading)
    builder.field("Confidence", item.state.describe(), inline=True)
    if item.changes_status:
        builder.field("Why first", "Answering it can change a place's status.", inline=True)
    if item.reports:
        builder.field(
            f"Reported {len(item.reports)}×",
            "\n".join(
                f"• {escape(report.reason) or 'no reason given'}" for report in item.reports[:5]
            ),
        )
    footer = f"{item.waiting} waiting for review" if item.waiting else None
    embed = builder.build(footer)
    if heading:
        embed.description = clip(f"{heading}\n\n{embed.description or ''}".strip(), 4000)
    return embed


def review_view(item: ReviewItem) -> discord.ui.View:
    """Confirm / Not policy / Change action / Change place / Skip for one reading."""
    view = discord.ui.View(timeout=None)
    for verb, _, _ in BUTTONS:
        view.add_item(ReviewButton(verb, item.article.id, item.token))
    return view


async def in_time(interaction: discord.Interaction, work: Awaitable[T]) -> T:
    """What ``work`` returns; when it takes longer than the bot's ``defer_after``, the
    interaction is deferred first (Discord drops one not answered within 3 s), and the answer
    then goes out as an edit or a follow-up (see :func:`update_message`)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=getattr(interaction.client, "defer_after", 2.0))
    if not done and not interaction.response.is_done():
        await interaction.response.defer()
    return await task


async def update_message(interaction: discord.Interaction, **kwargs: Any) -> None:
    """Edit the message the component is on, answered yet or not."""
    if interaction.response.is_done():
        await interaction.edit_original_response(**kwargs)
    else:
        await interaction.response.edit_message(**kwargs)


async def reply_privately(interaction: discord.Interaction, **kwargs: Any) -> None:
    """Answer only the caller, answered yet or not."""
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs, ephemeral=True)
    else:
        await interaction.response.send_message(**kwargs, ephemeral=True)


async def show_next(
    interaction: discord.Interaction, review: Review, heading: str, after: str | None = None
) -> None:
    """Replace the review message with the next item of the queue (or say it is empty)."""
    item = await in_time(interaction, review.next_item(after))
    if item is None:
        await update_message(
            interaction, content=f"{heading}\n{QUEUE_EMPTY}".strip(), embed=None, view=None
        )
        return
    await update_message(
        interaction,
        content=heading or None,
        embed=review_embed(item),
        view=review_view(item),
        allowed_mentions=NO_MENTIONS,
    )


async def show_outcome(
    interaction: discord.Interaction, review: Review, outcome: ReviewOutcome, *, edit: bool
) -> None:
    """After an answer: the next item (stored), or the newer reading to answer again (stale).

    ``edit``: the interaction came from the review message itself, which is replaced; else
    (a select or a modal in a private reply) the reply says what happened.
    """
    if not outcome.applied:
        kwargs: dict[str, Any] = {
            "content": STALE,
            "embed": review_embed(outcome.item),
            "view": review_view(outcome.item),
            "allowed_mentions": NO_MENTIONS,
        }
        if edit:
            await update_message(interaction, **kwargs)
        else:
            await reply_privately(interaction, **kwargs)
        return
    heading = f"{outcome.what}: `{outcome.item.article.id}` {clip(outcome.item.headline, 80)}"
    if edit:
        await show_next(interaction, review, heading)
    else:
        await update_message(
            interaction,
            content=escape(heading) + ". It counts everywhere now.",
            embed=None,
            view=None,
        )


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_ID):
    """A button under a review message; only the home server's moderators may press it."""

    def __init__(self, verb: str, article_id: str, token: str) -> None:
        label, style = next((label, style) for v, label, style in BUTTONS if v == verb)
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"review:{verb}:{article_id}:{token}"
            )
        )
        self.verb = verb
        self.article_id = article_id
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReviewButton:
        return cls(match["verb"], match["article"], match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await ensure_reviewer(interaction)
            await self._act(interaction)
        except Exception as error:  # a dynamic item has no on_error: report it like a command's
            await report_error(interaction, error)

    async def _act(self, interaction: discord.Interaction) -> None:
        review: Review = interaction.client.app.review  # type: ignore[attr-defined]
        actor = actor_of(interaction)
        if self.verb == "confirm":
            outcome = await in_time(interaction, review.confirm(self.article_id, self.token, actor))
            await show_outcome(interaction, review, outcome, edit=True)
        elif self.verb == "reject":
            answer = review.not_policy(self.article_id, self.token, actor)
            await show_outcome(interaction, review, await in_time(interaction, answer), edit=True)
        elif self.verb == "skip":
            await show_next(interaction, review, "", after=self.article_id)
        elif self.verb == "action":
            view = discord.ui.View(timeout=None)
            view.add_item(ActionSelect(self.article_id, self.token))
            await interaction.response.send_message(
                "Which action does this item report?", view=view, ephemeral=True
            )
        else:
            await interaction.response.send_modal(PlaceModal(review, self.article_id, self.token))


class ActionSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=ACTION_SELECT_ID):
    """The actions to choose from after Change action."""

    def __init__(self, article_id: str, token: str) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"review:pick-action:{article_id}:{token}",
                placeholder="The action the item reports",
                options=[
                    discord.SelectOption(label=ACTION_LABELS.get(a, a)[:100], value=a)
                    for a in ACTIONS
                ],
            )
        )
        self.article_id = article_id
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ActionSelect:
        return cls(match["article"], match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await ensure_reviewer(interaction)
            review: Review = interaction.client.app.review  # type: ignore[attr-defined]
            answer = review.change_action(
                self.article_id, self.token, self.item.values[0], actor_of(interaction)
            )
            await show_outcome(interaction, review, await in_time(interaction, answer), edit=False)
        except Exception as error:
            await report_error(interaction, error)


class PlaceSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=PLACE_SELECT_ID):
    """The places an ambiguous name could mean, after Change place."""

    def __init__(
        self, article_id: str, token: str, candidates: list[tuple[str, str]] | None = None
    ) -> None:
        options = [
            discord.SelectOption(label=clip(label, 100), value=key[:100])
            for label, key in (candidates or [("?", "?")])
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"review:pick-place:{article_id}:{token}",
                placeholder="Which place?",
                options=options,
            )
        )
        self.article_id = article_id
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PlaceSelect:
        return cls(match["article"], match["token"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await ensure_reviewer(interaction)
            review: Review = interaction.client.app.review  # type: ignore[attr-defined]
            answer = review.change_place(
                self.article_id, self.token, self.item.values[0], actor_of(interaction)
            )
            await show_outcome(interaction, review, await in_time(interaction, answer), edit=False)
        except Exception as error:
            await report_error(interaction, error)


class PlaceModal(SafeModal, title="Change place"):
    """The place, typed (Discord modals have no autocomplete); a name meaning several places
    is settled with a select next."""

    place = discord.ui.TextInput(
        label="Place (e.g. Portland, OR or King County, WA)", custom_id="place", max_length=200
    )

    def __init__(self, review: Review, article_id: str, token: str) -> None:
        super().__init__(timeout=1800)
        self.review = review
        self.article_id = article_id
        self.token = token

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await ensure_reviewer(interaction)
        actor = actor_of(interaction)
        try:
            outcome = await self.review.change_place(
                self.article_id, self.token, self.place.value, actor
            )
        except AmbiguousPlace as exc:
            view = discord.ui.View(timeout=None)
            view.add_item(PlaceSelect(self.article_id, self.token, place_candidates(exc)))
            await interaction.response.send_message(
                f"{escape(str(exc))}", view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        if outcome.applied:
            await interaction.response.send_message(
                escape(f"{outcome.what}: `{outcome.item.article.id}`.")
                + " It counts everywhere now.",
                ephemeral=True,
            )
        else:
            await show_outcome(interaction, self.review, outcome, edit=False)
