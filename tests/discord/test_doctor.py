"""``banwatch doctor`` against the loopback Discord server: a healthy set-up passes, and each
kind of trouble fails with its named reason and the fix."""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.discord.client import BanwatchBot, sync_commands
from bot.discord.doctor import cmd_doctor
from bot.service import Banwatch
from bot.settings import Settings
from bot.store import Store
from bot.store._feeds import PollRecord
from tests.discord.harness import loopback_settings
from tests.loopback.model import Channel, Permission, Role
from tests.loopback.server import LoopbackDiscord


@dataclasses.dataclass
class World:
    """A bot set up as the README says, and its alert channels."""

    server: LoopbackDiscord
    settings: Settings
    general: Channel
    forum: Channel
    role: Role


@pytest.fixture
async def world(loopback_discord: LoopbackDiscord, db_path: Path, corpus_dir: Path) -> World:
    """Commands synced to the guild; #general alerts pinging a mentionable role; forum alerts."""
    server = loopback_discord
    settings = loopback_settings(db_path, corpus_dir, server)
    guild = server.guild
    general, forum = guild.channel_named("general"), guild.channel_named("forum")
    role = server.add_role("FR watchers")
    role.mentionable = True
    async with await Store.open(db_path) as store:
        app = Banwatch.from_settings(store, settings)
        await app.alerts.subscribe(
            guild_id=str(guild.id), channel_id=str(general.id), actor_id="1", role_id=str(role.id)
        )
        await app.alerts.subscribe(
            guild_id=str(guild.id), channel_id=str(forum.id), actor_id="1", channel_kind="forum"
        )
        log_channel = server.add_channel(guild, "mod-log")
        await app.config.set_log_channel(guild.id, log_channel.id, actor_id=1)
        # An open petition posted in #petitions (the post's message id as Discord gave it).
        petitions = server.add_channel(guild, "petitions")
        petition = await app.petitions.create(
            guild_id=str(guild.id), created_by="1", title="Ban FR", demand="Ban it",
            target="The council", goal=100,
        )  # fmt: skip
        await app.petitions.record_post(petition.id, str(petitions.id), "1")
        async with BanwatchBot(app, settings) as bot:
            await bot.login(server.token)
            await sync_commands(bot, guild.id, force=True)
    return World(server, settings, general, forum, role)


async def doctor(
    world: World, capsys: pytest.CaptureFixture[str], settings: Settings | None = None
) -> tuple[int, str]:
    """Run ``banwatch doctor``; its exit code and what it printed."""
    code = await cmd_doctor(argparse.Namespace(), settings or world.settings)
    return code, capsys.readouterr().out


async def test_a_healthy_setup_passes_and_changes_nothing(world: World, capsys) -> None:
    before = len(world.server.requests)
    code, out = await doctor(world, capsys)
    assert code == 0, out
    assert "All checks passed." in out and "FAIL" not in out
    for expected in (
        rf"ok   config: .*database {re.escape(str(world.settings.db_path))}",
        r"ok   database: .*integrity ok, migrations at the latest version",
        r"ok   corpus: .*2 files",
        r"ok   token: Discord accepts it",
        r"ok   servers: in 1: Loopback Guild",
        r"ok   alerts #1: #general in Loopback Guild \(text\): .* ping @FR watchers",
        r"ok   alerts #2: #forum in Loopback Guild \(forum\): the bot can post there",
        r"ok   commands in Loopback Guild: all \d+ slash commands synced \(to this server\)",
        r"ok   feeds: none followed",
        r"ok   home server: Loopback Guild \(the one server\) manages feeds",
        r"ok   log channel of Loopback Guild: #mod-log in Loopback Guild: the bot can post",
        r"ok   petition #1: #petitions in Loopback Guild: the bot keeps the post current there",
    ):
        assert re.search(expected, out), f"{expected!r} not in:\n{out}"
    made = world.server.requests[before:]
    assert made and all(request.method == "GET" for request in made), made
    assert not world.server.unknown_requests  # the loopback server answers all it asks
    assert world.server.token not in out


def lacks_send_messages(world: World) -> None:
    world.server.set_overwrite(
        world.general, world.server.bot_role(), deny=[Permission.send_messages]
    )


def forum_closed_to_posts(world: World) -> None:
    world.server.set_overwrite(
        world.forum, world.server.bot_role(), deny=[Permission.send_messages]
    )


def forum_deleted(world: World) -> None:
    world.server.delete_channel(world.forum.id)


def commands_never_synced(world: World) -> None:
    world.server.guild_commands.clear()


def a_command_missing(world: World) -> None:
    commands = world.server.guild_commands[world.server.guild.id]
    commands[:] = [c for c in commands if c["name"] != "alerts"]


def role_not_pingable(world: World) -> None:
    world.role.mentionable = False


def log_channel_hidden(world: World) -> None:
    log_channel = world.server.guild.channel_named("mod-log")
    world.server.set_overwrite(
        log_channel, world.server.guild.everyone, deny=[Permission.view_channel]
    )


def petition_channel_hidden(world: World) -> None:
    channel = world.server.guild.channel_named("petitions")
    world.server.set_overwrite(channel, world.server.bot_role(), deny=[Permission.view_channel])


def petition_channel_deleted(world: World) -> None:
    world.server.delete_channel(world.server.guild.channel_named("petitions").id)


def in_a_second_server_without_a_home(world: World) -> None:
    other = world.server.add_guild("Another Coalition")
    synced = world.server.guild_commands[world.server.guild.id]
    world.server.guild_commands[other.id] = list(synced)  # its commands are synced too


async def feed_failing(world: World) -> None:
    async with await Store.open(world.settings.db_path) as store:
        feed = await store.add_feed(
            "https://news.example/fr.rss",
            interval_seconds=900,
            added_by="1",
            guild_id=None,
            channel_id=None,
            next_poll_at=0,
        )
        assert feed is not None
        failure = PollRecord(
            polled_at="2026-12-06T20:00:00+00:00",
            next_poll_at=0,
            failures=5,
            failing_since="2026-12-06T18:00:00+00:00",
            success=False,
            error="HTTP 404",
        )
        await store.record_feed_poll(feed.id, failure)


def corrupt_database(world: World) -> None:
    path = world.settings.db_path
    data = bytearray(path.read_bytes())
    # Scribble over pages past the schema: tables and indexes now point at garbage.
    for offset in range(4096 * 4, min(len(data), 4096 * 40), 4096):
        data[offset + 8 : offset + 4000] = b"\x07" * 3992
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("trouble", "reason"),
    [
        (
            lacks_send_messages,
            # Discord (and discord.py) deny Embed Links implicitly without Send Messages.
            r"FAIL alerts #1: #general in Loopback Guild: the bot lacks Send Messages, Embed"
            r" Links there\n\s+fix: in #general in Loopback Guild: Edit Channel, Permissions",
        ),
        (
            forum_closed_to_posts,
            r"FAIL alerts #2: #forum in Loopback Guild: the bot lacks Create Posts \(Send"
            r" Messages\), Embed Links there",
        ),
        (forum_deleted, r"FAIL alerts #2: its channel \d+ in Loopback Guild no longer exists"),
        (
            commands_never_synced,
            r"FAIL commands in Loopback Guild: no slash commands are synced"
            r" there\n\s+fix: banwatch sync --guild \d+",
        ),
        (
            a_command_missing,
            r"FAIL commands in Loopback Guild: the slash commands are out of"
            r" date: missing /alerts",
        ),
        (
            role_not_pingable,
            r"FAIL alerts #1: .*can't ping @FR watchers: the role is not"
            r" mentionable and the bot lacks Mention @everyone, @here, and All Roles",
        ),
        (
            log_channel_hidden,
            r"FAIL log channel of Loopback Guild: #mod-log in Loopback Guild: the bot lacks View"
            r" Channel, Send Messages there",
        ),
        (
            petition_channel_hidden,
            r"FAIL petition #1: #petitions in Loopback Guild: the bot lacks View Channel, Embed"
            r" Links there, so the post's count and Sign button can't be kept current",
        ),
        (
            petition_channel_deleted,
            r"FAIL petition #1: its post's channel \d+ in Loopback Guild no longer exists"
            r" \(deleted\)\n\s+fix: post it again in another channel with /petition post 1",
        ),
        (
            in_a_second_server_without_a_home,
            r"FAIL home server: the bot is in 2 servers and BANWATCH_HOME_GUILD is not set"
            r".*\n\s+fix: put BANWATCH_HOME_GUILD=SERVER_ID in",
        ),
        (
            feed_failing,
            r"FAIL feed #1: https://news.example/fr.rss: failing since 2026-12-06T18:00 UTC: HTTP"
            r" 404\n\s+fix: open the address in a browser",
        ),
        (
            corrupt_database,
            r"FAIL database: .* is corrupt: .*\n\s+fix: stop the bot, then put"
            r" back the latest backup: banwatch restore PATH",
        ),
    ],
)
async def test_each_trouble_fails_with_its_named_reason(
    world: World, capsys, trouble: Callable[[World], Awaitable[None] | None], reason: str
) -> None:
    done = trouble(world)
    if done is not None:
        await done
    code, out = await doctor(world, capsys)
    assert code == 1, out
    assert re.search(reason, out), f"{reason!r} not in:\n{out}"
    assert sum(line.startswith("FAIL") for line in out.splitlines()) == 1, out
    assert "problem(s) found" in out


async def test_a_refused_token_fails_and_says_where_the_token_goes(world: World, capsys) -> None:
    settings = dataclasses.replace(world.settings, discord_token="not-the-token")
    code, out = await doctor(world, capsys, settings)
    assert code == 1
    assert "FAIL token: Discord refused the token (DISCORD_TOKEN)" in out
    assert "Reset Token" in out and "not-the-token" not in out


async def test_doctor_before_anything_else_says_what_to_do(
    tmp_path: Path, capsys, loopback_discord: LoopbackDiscord
) -> None:
    settings = Settings(db_path=tmp_path / "none.db", corpus_dir=tmp_path / "nowhere")
    code = await cmd_doctor(argparse.Namespace(), settings)
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL database: there is no database at" in out
    assert "FAIL corpus: there is no folder" in out
    assert "FAIL token: DISCORD_TOKEN is not set" in out
    assert not (tmp_path / "none.db").exists()  # the doctor creates nothing
