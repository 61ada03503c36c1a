"""The loopback server against the real discord.py client: a throwaway bot, every path once."""

from __future__ import annotations

import asyncio
import io

import aiohttp
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


async def test_deferred_response_followup_and_edit(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    handle = loopback_discord.dispatch_slash("slow")
    assert (await handle)["type"] == 5
    followups = await handle.wait_followups(1)
    original = await handle.wait_original(lambda m: m["content"] == "done")
    # As on Discord, the first follow-up after a deferral replaces the "thinking" message.
    assert followups[0]["id"] == original["id"]
    assert not original["flags"] & 128
    assert loopback_discord.requests_matching(r"/messages/@original$", method="PATCH")


async def test_autocomplete_choices(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    handle = loopback_discord.dispatch_autocomplete("watch", "city", "b")
    response = await handle
    assert response["type"] == 8
    assert handle.choices == [
        {"name": "Boston", "value": "Boston"},
        {"name": "Brookline", "value": "Brookline"},
    ]


async def test_too_many_choices_rejected_and_logged(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    discord_errors.expect(r"Ignoring exception in autocomplete for 'flood'.*50035")
    handle = loopback_discord.dispatch_autocomplete("flood", "item", "")
    rejection = await handle.wait_rejection()
    assert rejection["code"] == 50035
    assert rejection["errors"]["data"]["choices"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    await discord_errors.wait_for("autocomplete")
    assert handle.response is None


async def test_second_response_to_an_interaction_is_refused(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    discord_errors.expect(r"Ignoring exception in command 'ping'.*40060")
    handle = loopback_discord.dispatch_slash("ping")
    await handle
    loopback_discord.dispatch("INTERACTION_CREATE", handle.payload)  # Discord redelivers
    rejection = await handle.wait_rejection()
    assert rejection == {"message": "Interaction has already been acknowledged.", "code": 40060}
    await discord_errors.wait_for("40060")


async def test_button_click_updates_the_message(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    command = loopback_discord.dispatch_slash("confirm")
    await command
    message = command.original
    assert message is not None
    assert message["components"][0]["components"][0]["custom_id"] == "confirm"
    click = loopback_discord.dispatch_component(message, "confirm")
    assert (await click)["type"] == 7
    assert loopback_discord.messages[int(message["id"])]["content"] == "Confirmed"
    assert loopback_discord.messages[int(message["id"])]["components"] == []
    assert bot.last_view is not None
    assert bot.last_view.pressed_by == [int(click.payload["member"]["user"]["id"])]


async def test_modal_submit(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    command = loopback_discord.dispatch_slash("report")
    assert (await command)["type"] == 9
    assert command.modal is not None and command.modal["title"] == "Report a ban"
    submit = loopback_discord.dispatch_modal_submit({"place": "Boston"}, opened_by=command)
    response = await submit
    assert response["data"]["content"] == "Thanks: Boston (no source)"
    assert response["data"]["flags"] == 64


async def test_rate_limited_callback_is_retried(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    fault = loopback_discord.rate_limit_next(
        r"^/interactions/\d+/[^/]+/callback$", retry_after=0.05
    )
    response = await loopback_discord.dispatch_slash("ping")
    assert response["data"]["content"] == "pong"
    statuses = [r.status for r in loopback_discord.requests_matching(r"/callback$")]
    assert statuses == [429, 200]
    assert fault.hits == 1 and loopback_discord.rate_limited_count == 1
    limited = loopback_discord.requests_matching(r"/callback$")[0]
    assert limited.response == {
        "message": "You are being rate limited.",
        "retry_after": 0.05,
        "global": False,
    }


async def test_server_error_on_send_is_retried(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    general = loopback_discord.guild.channel_named("general")
    loopback_discord.fail_next(r"^/channels/\d+/messages$", 502, method="POST")
    message = await bot.get_channel(general.id).send("after the outage")
    assert [r.status for r in loopback_discord.requests_matching(r"/messages$")] == [502, 200]
    assert [m["id"] for m in loopback_discord.messages_in(general)] == [str(message.id)]


async def test_enforce_nonce_deduplicates(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    channel = bot.get_channel(loopback_discord.guild.channel_named("general").id)
    first = await channel.send("alert: Boston bans face recognition", nonce="alert-1")
    again = await channel.send("alert: Boston bans face recognition", nonce="alert-1")
    other = await channel.send("alert: Portland", nonce="alert-2")
    assert again.id == first.id != other.id
    assert len(loopback_discord.messages_in(channel.id)) == 2


async def test_embed_over_limits_rejected(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    channel = bot.get_channel(loopback_discord.guild.channel_named("general").id)
    embed = discord.Embed(title="t" * 257, description="d" * 10)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=embed)
    assert (raised.value.status, raised.value.code) == (400, 50035)
    assert "embeds.0.title" in str(raised.value)
    too_big = discord.Embed(description="d" * 4000)
    for index in range(3):
        too_big.add_field(name=f"f{index}", value="v" * 1000)
    with pytest.raises(discord.HTTPException, match="6000"):
        await channel.send(embed=too_big)
    with pytest.raises(discord.HTTPException, match="2000 or fewer"):
        await channel.send("x" * 2001)
    assert loopback_discord.messages_in(channel.id) == []


async def test_resume_after_the_server_drops_the_websocket(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    loopback_discord.drop_gateway(4000)
    handle = loopback_discord.dispatch_slash("ping")  # sent while disconnected: replayed
    await asyncio.wait_for(resumed.wait(), timeout=5)
    assert (await handle)["data"]["content"] == "pong"
    assert [op["op"] for op in loopback_discord.gateway_ops].count(6) == 1
    assert loopback_discord.gateway_paths == ["/gateway", "/gateway-resume"]


async def test_message_with_file_attachment(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    channel = bot.get_channel(loopback_discord.guild.channel_named("general").id)
    note = discord.File(io.BytesIO(b"Boston, 2020-06-24"), filename="bans.csv")
    message = await channel.send("the list", file=note)
    assert [a.filename for a in message.attachments] == ["bans.csv"]
    assert await message.attachments[0].read() == b"Boston, 2020-06-24"
    (request,) = loopback_discord.requests_matching(r"/messages$", method="POST")
    assert request.json["content"] == "the list"
    assert [(f.filename, f.data) for f in request.files] == [("bans.csv", b"Boston, 2020-06-24")]


async def test_forum_thread_and_deleted_channel(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    forum = bot.get_channel(loopback_discord.guild.channel_named("forum").id)
    assert isinstance(forum, discord.ForumChannel)
    created = await forum.create_thread(name="Boston", content="City council votes")
    assert created.thread.parent_id == forum.id
    assert loopback_discord.messages_in(created.thread.id)[0]["content"] == "City council votes"
    general = loopback_discord.guild.channel_named("general")
    loopback_discord.delete_channel(general.id)
    with pytest.raises(discord.NotFound) as raised:
        await bot.get_channel(general.id).send("anyone?")
    assert raised.value.code == 10003


async def test_global_rate_limit_counts_429s(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    loopback_discord.set_global_rate_limit(4)
    channel = bot.get_channel(loopback_discord.guild.channel_named("general").id)
    await asyncio.gather(*(channel.send(f"alert {i}") for i in range(6)))
    assert len(loopback_discord.messages_in(channel.id)) == 6
    assert loopback_discord.rate_limited_count >= 1


async def test_heartbeats_are_acked_after_a_round_trip_not_an_interval_late(
    discord_errors: DiscordErrors,
) -> None:
    server = LoopbackDiscord(heartbeat_interval_ms=500)
    await server.start()
    server.add_guild()
    try:
        async with running_bot(ThrowawayBot(), server) as client:
            await server.wait_for(
                lambda: sum(op.get("op") == 1 for op in server.gateway_ops) >= 3,
                5,
                "three heartbeats",
            )
            await asyncio.sleep(0.1)
            # discord.py's latency is the time from a heartbeat to its ack: a round trip, not
            # the interval (what an ack that beat discord.py's own bookkeeping gave).
            assert 0.01 <= client.latency < 0.25
    finally:
        await server.close()


async def test_channel_rate_limit_sends_discords_headers_and_429(
    loopback_discord: LoopbackDiscord,
) -> None:
    loopback_discord.set_channel_rate_limit(2, per_seconds=30.0)
    channel = loopback_discord.guild.channel_named("general")
    url = f"{loopback_discord.api_base}/channels/{channel.id}/messages"
    headers = {"Authorization": f"Bot {loopback_discord.token}"}
    answers = []
    async with aiohttp.ClientSession() as session:
        for number in range(3):
            async with session.post(url, json={"content": f"m{number}"}, headers=headers) as r:
                answers.append((r.status, dict(r.headers), await r.json()))
    (ok1, first, _), (ok2, second, _), (limited, third, body) = answers
    assert (ok1, ok2, limited) == (200, 200, 429)
    assert first["X-RateLimit-Limit"] == "2" and first["X-RateLimit-Remaining"] == "1"
    assert second["X-RateLimit-Remaining"] == "0"
    assert len({answer[1]["X-RateLimit-Bucket"] for answer in answers}) == 1
    assert 29 < float(second["X-RateLimit-Reset-After"]) <= 30
    assert third["X-RateLimit-Scope"] == "user" and "X-RateLimit-Global" not in third
    assert int(third["Retry-After"]) == 30
    assert body["global"] is False and 29 < body["retry_after"] <= 30
    assert len(loopback_discord.messages_in(channel.id)) == 2


async def test_discord_py_waits_on_a_channel_window_and_not_on_other_channels(
    bot: ThrowawayBot, loopback_discord: LoopbackDiscord, discord_errors: DiscordErrors
) -> None:
    loopback_discord.set_channel_rate_limit(2, per_seconds=0.4)
    busy = bot.get_channel(loopback_discord.guild.channel_named("general").id)
    other = loopback_discord.add_channel(loopback_discord.guild, "quiet")
    loop = asyncio.get_running_loop()
    started = loop.time()
    busy_sends = asyncio.gather(*(busy.send(f"alert {i}") for i in range(5)))
    quiet = await bot.get_partial_messageable(other.id).send("quiet one")
    await busy_sends
    assert loop.time() - started >= 0.8  # three windows: 2 + 2 + 1
    posts = loopback_discord.messages_in(busy.id)
    assert len(posts) == 5
    assert loopback_discord.rate_limited_count == 0  # discord.py read the headers and waited
    assert quiet.id < int(posts[2]["id"])  # not held behind the busy channel's window
