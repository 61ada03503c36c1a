"""The loopback server against the real discord.py client: a throwaway bot, every path once."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.loopback.fixtures import (
    DiscordErrors,
    discord_errors,
    loopback_discord,
    running_bot,
    start_bot,
)
from tests.loopback.server import LoopbackDiscord

__all__ = ["discord_errors", "loopback_discord", "start_bot"]

CITIES = ["Boston", "Brookline", "Cambridge", "Portland", "San Francisco", "Somerville"]


class Confirm(discord.ui.View):
    """A one-button view that records who pressed it."""

    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.pressed_by: list[int] = []

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.green)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.pressed_by.append(interaction.user.id)
        await interaction.response.edit_message(content="Confirmed", view=None)


class Report(discord.ui.Modal, title="Report a ban"):
    """A modal with two text inputs."""

    place = discord.ui.TextInput(label="Place", custom_id="place")
    source = discord.ui.TextInput(label="Source", custom_id="source", required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Thanks: {self.place.value} ({self.source.value or 'no source'})", ephemeral=True
        )


class ThrowawayBot(commands.Bot):
    """A minimal bot using everything the loopback server must support."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
        )
        self.last_view: Confirm | None = None

    async def setup_hook(self) -> None:
        tree = self.tree

        @tree.command(name="ping", description="Answer pong")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        @tree.command(name="watch", description="Watch a city")
        @app_commands.describe(city="The city to watch")
        async def watch(interaction: discord.Interaction, city: str) -> None:
            await interaction.response.send_message(f"Watching {city}")

        @watch.autocomplete("city")
        async def watch_city(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=c, value=c)
                for c in CITIES
                if c.lower().startswith(current.lower())
            ]

        @tree.command(name="flood", description="Too many choices")
        async def flood(interaction: discord.Interaction, item: str) -> None:
            await interaction.response.send_message(item)

        @flood.autocomplete("item")
        async def flood_item(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f"item {i}", value=str(i)) for i in range(30)]

        @tree.command(name="slow", description="Defer, follow up, edit")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("first result")
            await interaction.edit_original_response(content="done")

        @tree.command(name="confirm", description="Show a button")
        async def confirm(interaction: discord.Interaction) -> None:
            self.last_view = Confirm()
            await interaction.response.send_message("Sure?", view=self.last_view)

        @tree.command(name="report", description="Open a modal")
        async def report(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Report())

        alerts = app_commands.Group(name="alerts", description="Alerts")
        channel_group = app_commands.Group(
            name="channel", description="Alert channel", parent=alerts
        )

        @channel_group.command(name="set", description="Post alerts to a channel")
        async def alerts_channel_set(
            interaction: discord.Interaction, channel: discord.TextChannel, limit: int = 5
        ) -> None:
            await interaction.response.send_message(f"{channel.name}:{limit}", ephemeral=True)

        tree.add_command(alerts)


@pytest.fixture
async def bot(start_bot, loopback_discord: LoopbackDiscord) -> ThrowawayBot:
    """The throwaway bot, connected, with its commands synced globally."""
    client = await start_bot(ThrowawayBot())
    await client.tree.sync()
    return client


async def test_connects_and_sees_the_guild(
    loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    async with running_bot(ThrowawayBot(), loopback_discord) as client:
        guild = client.get_guild(loopback_discord.guild.id)
        assert guild is not None and not guild.unavailable
        assert {c.name for c in guild.channels} == {"general", "announcements", "forum"}
        assert isinstance(guild.get_channel(guild.channels[2].id), discord.abc.GuildChannel)
        assert guild.me is not None and guild.me.guild_permissions.send_messages
        assert client.application_id == loopback_discord.application_id
    assert loopback_discord.requests_matching(r"^/gateway/bot$"), "gateway URL not discovered"
    assert not loopback_discord.unknown_requests


async def test_tree_sync_is_recorded(bot: ThrowawayBot, loopback_discord: LoopbackDiscord) -> None:
    synced = loopback_discord.commands_for()
    assert {"ping", "watch", "flood", "slow", "confirm", "report", "alerts"} <= set(synced)
    assert synced["watch"]["options"][0]["name"] == "city"
    assert synced["watch"]["options"][0]["autocomplete"] is True
    group = synced["alerts"]["options"][0]
    assert (group["name"], group["type"], group["options"][0]["name"]) == ("channel", 2, "set")


async def test_slash_command_answers(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    response = await loopback_discord.dispatch_slash("ping")
    assert response == {"type": 4, "data": response["data"], "files": []}
    assert response["data"]["content"] == "pong"
    general = loopback_discord.guild.channel_named("general")
    assert [m["content"] for m in loopback_discord.messages_in(general)] == ["pong"]


async def test_subcommand_group_with_channel_option(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    announcements = loopback_discord.guild.channel_named("announcements")
    handle = loopback_discord.dispatch_slash(
        "alerts channel set", {"channel": announcements, "limit": 3}
    )
    response = await handle
    assert response["data"]["content"] == "announcements:3"
    assert response["data"]["flags"] == 64
    assert loopback_discord.messages_in(announcements) == []
