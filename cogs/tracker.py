"""Tracker commands: /status, /cities, /timeline, /news, /search and /help."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import BanwatchBot
from bot.discord.embeds import (
    articles_embed,
    cities_page,
    clip,
    escape,
    help_embed,
    status_embed,
    timeline_embed,
)
from bot.discord.permissions import Need
from bot.discord.replies import OwnerView, Reply, answer
from bot.errors import AmbiguousPlace
from bot.petitions import Petition, render_open_petitions
from bot.taxonomy import STATUSES
from bot.tracker import JurisdictionStatus

log = logging.getLogger(__name__)

CITIES_PAGE_SIZE = 15
MAX_AUTOCOMPLETE = 25
CORE_COMMANDS = frozenset({"status", "cities", "timeline", "news", "search", "map", "help"})

# What a place command looks up (a status, or a status with its open petitions) and shows.
Answer = TypeVar("Answer")
Lookup = Callable[[str], Awaitable[Answer]]
Render = Callable[[Answer], discord.Embed]
# The status, this server's open petitions about the place, and its confidence threshold.
StatusAnswer = tuple[JurisdictionStatus, list[Petition], float]
TimelineAnswer = tuple[JurisdictionStatus, float]
PETITIONS_FIELD = "Open petitions"

# Its answers are interaction replies, which need no channel permission (bot.discord.permissions).
PERMISSIONS: tuple[Need, ...] = ()


class PlacePicker(OwnerView, Generic[Answer]):
    """Offers the places an ambiguous name could mean; picking one answers the question."""

    def __init__(
        self,
        owner_id: int,
        candidates: list[tuple[str, str]],
        lookup: Lookup[Answer],
        render: Render[Answer],
    ) -> None:
        super().__init__(owner_id, timeout=300)
        self.lookup = lookup
        self.render = render
        self.select: discord.ui.Select[PlacePicker[Answer]] = discord.ui.Select(
            custom_id="place:pick",
            placeholder="Which place?",
            options=[
                discord.SelectOption(label=clip(label, 100), value=value[:100])
                for label, value in candidates[:MAX_AUTOCOMPLETE]
            ],
        )
        self.select.callback = self.pick  # type: ignore[method-assign]
        self.add_item(self.select)

    async def pick(self, interaction: discord.Interaction) -> None:
        """Show the answer for the chosen place in place of the question."""
        result = await self.lookup(self.select.values[0])
        await interaction.response.edit_message(content=None, embed=self.render(result), view=None)
        self.stop()


class CitiesPages(OwnerView):
    """Prev / Next buttons over the pages of a /cities answer; only its caller turns them
    (the message is public, and another member's click would flip it for everyone)."""

    def __init__(
        self,
        results: list[JurisdictionStatus],
        heading: str,
        page_size: int,
        owner_id: int,
        threshold: float,
    ) -> None:
        super().__init__(owner_id, timeout=600)
        self.results = results
        self.threshold = threshold
        self.heading = heading
        self.page_size = page_size
        self.page = 0
        self.pages = max(1, -(-len(results) // page_size))
        self._refresh()

    def embed(self) -> discord.Embed:
        """The current page."""
        return cities_page(
            self.results, self.page, self.page_size, self.heading, self.threshold
        )

    refusal = "These pages belong to whoever ran this /cities; run `/cities` to page your own."

    def _refresh(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))
        self._refresh()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(
        label="Previous", custom_id="cities:previous", style=discord.ButtonStyle.secondary
    )
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[CitiesPages]
    ) -> None:
        """One page back."""
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", custom_id="cities:next", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction, button: discord.ui.Button[CitiesPages]
    ) -> None:
        """One page on."""
        await self._show(interaction, self.page + 1)


class Tracker(commands.Cog):
    """Look-ups anyone can run: status, places by status, timelines, news and search."""

    def __init__(self, bot: BanwatchBot) -> None:
        self.bot = bot
        self.app = bot.app
        self.petitions = bot.app.petitions
        self.cities_page_size = CITIES_PAGE_SIZE

    async def _place_answer(
        self,
        interaction: discord.Interaction,
        place: str,
        lookup: Lookup[Answer],
        render: Render[Answer],
    ) -> Reply:
        try:
            result = await lookup(place)
        except AmbiguousPlace as exc:
            # The display name, not the key: a gazetteer place is not a known key yet.
            candidates = list(dict.fromkeys((j.display, j.display) for j in exc.candidates))
            names = "\n".join(f"• {escape(label)}" for label, _ in candidates[:10])
            return Reply(
                content=clip(
                    f"**{escape(exc.query)}** could mean several places:\n{names}\nWhich one?"
                    + (f" {exc.note}" if exc.note else ""),
                    2000,
                ),
                view=PlacePicker(interaction.user.id, candidates, lookup, render),
                ephemeral=True,
            )
        return Reply(embeds=[render(result)])

    async def place_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Known places matching what is typed, forgiving of case and typos."""
        choices = await self.app.place_choices(current, limit=MAX_AUTOCOMPLETE)
        return [app_commands.Choice(name=c.label[:100], value=c.value[:100]) for c in choices]

    @app_commands.command(name="status")
    @app_commands.describe(
        place="A city, county, state or country, e.g. Chicago or Springfield, MA"
    )
    async def status_show(self, interaction: discord.Interaction, place: str) -> None:
        """The facial-recognition status of a place, with its sources."""
        guild_id = str(interaction.guild_id) if interaction.guild_id else None

        async def lookup(name: str) -> StatusAnswer:
            result = await self.app.status(name)
            threshold = await self.app.review.threshold(guild_id)
            if guild_id is None:  # a DM: petitions belong to a server
                return result, [], threshold
            petitions = await self.petitions.open_for_place(
                guild_id=guild_id, place_key=result.jurisdiction.key
            )
            return result, petitions, threshold

        await answer(
            interaction, self._place_answer(interaction, place, lookup, status_with_petitions)
        )

    @app_commands.command(name="timeline")
    @app_commands.describe(place="A city, county, state or country, e.g. Springfield, MA")
    async def timeline_show(self, interaction: discord.Interaction, place: str) -> None:
        """The dated events for one place."""
        guild_id = interaction.guild_id

        async def lookup(name: str) -> TimelineAnswer:
            return await self.app.timeline(name), await self.app.review.threshold(guild_id)

        await answer(
            interaction, self._place_answer(interaction, place, lookup, timeline_with_threshold)
        )

    @app_commands.command(name="cities")
    @app_commands.describe(
        status="Only places with this status", state="Only places in this state, e.g. MA"
    )
    @app_commands.choices(status=[app_commands.Choice(name=s, value=s) for s in STATUSES])
    async def cities_list(
        self,
        interaction: discord.Interaction,
        status: app_commands.Choice[str] | None = None,
        state: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Places by facial-recognition status."""

        async def work() -> Reply:
            results = await self.app.cities(status=status.value if status else None, state=state)
            threshold = await self.app.review.threshold(interaction.guild_id)
            heading = "Places" + (f" with status {status.value}" if status else "")
            heading += f" in {escape(state)}" if state else ""
            view = CitiesPages(
                results, heading, self.cities_page_size, interaction.user.id, threshold
            )
            return Reply(embeds=[view.embed()], view=view if view.pages > 1 else None)

        await answer(interaction, work())

    @app_commands.command(name="news")
    @app_commands.describe(place="Only news about this place", days="Only the last this many days")
    async def news_latest(
        self,
        interaction: discord.Interaction,
        place: str | None = None,
        days: app_commands.Range[int, 1, 3650] | None = None,
    ) -> None:
        """The latest policy news, each with its source link."""

        async def work() -> Reply:
            articles = await self.app.news(place, days)
            title = "Latest policy news" + (f": {escape(place)}" if place else "")
            return Reply(embeds=[articles_embed(title, articles, "No policy news in that window.")])

        await answer(interaction, work())

    @app_commands.command(name="search")
    @app_commands.describe(query="Words to look for, e.g. clearview or moratorium")
    async def search_articles(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
    ) -> None:
        """Full-text search of the coverage."""

        async def work() -> Reply:
            articles = await self.app.search(query)
            return Reply(
                embeds=[articles_embed(f"Search: {escape(query)}", articles, "Nothing found.")]
            )

        await answer(interaction, work())

    @app_commands.command(name="help")
    async def help_show(self, interaction: discord.Interaction) -> None:
        """What banwatch does and its commands."""
        extra = [
            (command.qualified_name, command.description)
            for command in self.bot.tree.walk_commands()
            if isinstance(command, app_commands.Command)
            and command.qualified_name not in CORE_COMMANDS
        ]
        await interaction.response.send_message(
            embed=help_embed(extra),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    status_show.autocomplete("place")(place_autocomplete)
    timeline_show.autocomplete("place")(place_autocomplete)
    news_latest.autocomplete("place")(place_autocomplete)


def status_with_petitions(found: StatusAnswer) -> discord.Embed:
    """The status embed, with this server's open petitions about the place when there are any."""
    result, petitions, threshold = found
    embed = status_embed(result, threshold=threshold)
    if petitions:
        # The status embed may already be near Discord's 6,000-character total.
        room = min(1024, 6000 - len(embed) - len(PETITIONS_FIELD) - 50)
        text = render_open_petitions(petitions, escape=escape)
        if room < len(text):
            text = clip(text, room) if room > 200 else f"{len(petitions)} open: see /petition list"
        embed.add_field(name=PETITIONS_FIELD, value=text, inline=False)
    return embed


def timeline_with_threshold(found: TimelineAnswer) -> discord.Embed:
    """The timeline embed, uncertain events marked by the server's threshold."""
    result, threshold = found
    return timeline_embed(result, threshold=threshold)


async def setup(bot: BanwatchBot) -> None:
    """Load the tracker commands."""
    await bot.add_cog(Tracker(bot))
