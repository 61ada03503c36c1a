"""The permissions banwatch asks for are derived from what each cog declares, and
``banwatch invite`` prints them with the scopes and the reasons."""

from __future__ import annotations

import argparse
import base64
import re
from pathlib import Path

import discord
import pytest

from bot.discord.doctor import cmd_doctor
from bot.discord.invite import cmd_invite
from bot.discord.permissions import (
    Need,
    application_id_from_token,
    declared_needs,
    invite_url,
    required_permissions,
)
from bot.settings import Settings
from cogs.alerts import DiscordPoster
from tests.alerts.support import SPRINGFIELD_BAN, write_news
from tests.discord.harness import BanwatchHarness, loopback_settings
from tests.discord.test_cogs import every_cog_module
from tests.loopback.model import Permission
from tests.loopback.server import LoopbackDiscord

APPLICATION_ID = 1_180_000_000_000_000_042
TOKEN = base64.b64encode(str(APPLICATION_ID).encode()).decode().rstrip("=") + ".GxYz12.abc-def"


def test_every_cog_declares_what_it_needs_and_why() -> None:
    needs = declared_needs(every_cog_module())
    assert set(needs) == set(every_cog_module())
    for extension, declared in needs.items():
        assert isinstance(declared, tuple), extension
        for need in declared:
            assert isinstance(need, Need) and len(need.why) > 10, (extension, need)


def test_the_permissions_are_the_union_of_the_features_needs() -> None:
    needs = declared_needs()
    permissions = required_permissions(needs)
    expected = {need.permission for declared in needs.values() for need in declared}
    assert permissions == discord.Permissions(**dict.fromkeys(expected, True))
    # The README's old 116736 lacked View Channel, and role pings need their own.
    assert permissions.view_channel and permissions.send_messages and permissions.embed_links
    assert permissions.mention_everyone  # alerts ping a role that is not mentionable
    assert permissions.read_message_history  # finding a forum post after a crash
    assert permissions.value != 116736
    # Nothing the features don't use: no moderation, no administrator.
    assert not (
        permissions.administrator or permissions.manage_messages or permissions.kick_members
    )


def test_a_need_must_name_a_real_permission() -> None:
    with pytest.raises(ValueError, match="not a Discord permission"):
        Need("send_msgs", "a typo")


def test_a_cog_without_a_declaration_is_refused() -> None:
    with pytest.raises(LookupError, match="declares no PERMISSIONS"):
        declared_needs(["bot.discord.checks"])


def test_the_application_id_is_read_from_the_token() -> None:
    assert application_id_from_token(TOKEN) == APPLICATION_ID
    assert application_id_from_token("loopback-bot-token") is None
    assert application_id_from_token("") is None
    url = invite_url(APPLICATION_ID, discord.Permissions(3072), guild_id=7)
    assert url.startswith("https://discord.com/oauth2/authorize?")
    assert f"client_id={APPLICATION_ID}" in url and "scope=bot+applications.commands" in url
    assert "permissions=3072" in url and "guild_id=7" in url


async def test_banwatch_invite_prints_the_link_and_why_each_permission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(db_path=tmp_path / "x.db", corpus_dir=tmp_path, discord_token=TOKEN)
    args = argparse.Namespace(guild=None, application_id=None)
    assert await cmd_invite(args, settings) == 0
    out = capsys.readouterr().out
    value = required_permissions(declared_needs()).value
    assert (
        f"https://discord.com/oauth2/authorize?client_id={APPLICATION_ID}"
        f"&scope=bot+applications.commands&permissions={value}" in out
    )
    assert "read from the token" in out and TOKEN not in out
    assert f"Permissions (integer {value}):" in out
    for line in (
        r"\n  View Channel: .*alerts: see the channels",
        r"\n  Send Messages: .*alerts: post alerts",
        r"\n  Embed Links: .*alerts: alerts are embeds",
        r"\n  Mention @everyone, @here, and All Roles: alerts: ",
        r"\n  bot: ",
        r"\n  applications\.commands: ",
    ):
        assert re.search(line, out), out


async def test_banwatch_invite_asks_discord_when_the_token_does_not_say(
    loopback_discord: LoopbackDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = loopback_settings(tmp_path / "x.db", tmp_path, loopback_discord)
    args = argparse.Namespace(guild=None, application_id=None)
    assert await cmd_invite(args, settings) == 0
    out = capsys.readouterr().out
    assert f"client_id={loopback_discord.application_id}&" in out
    assert "asked of Discord" in out


async def test_banwatch_invite_without_a_token_says_where_to_find_the_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(db_path=tmp_path / "x.db", corpus_dir=tmp_path)
    args = argparse.Namespace(guild=None, application_id=None)
    assert await cmd_invite(args, settings) == 2
    assert "--application-id" in capsys.readouterr().err
    args = argparse.Namespace(guild=None, application_id=APPLICATION_ID)
    assert await cmd_invite(args, settings) == 0
    assert f"client_id={APPLICATION_ID}&" in capsys.readouterr().out


async def test_the_invites_permissions_are_enough_for_alerts_and_doctor_agrees(
    banwatch_bot: BanwatchHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    # Nothing from @everyone: the bot has exactly what `banwatch invite` asks for.
    guild.everyone.permissions = 0
    server.bot_role(guild).permissions = required_permissions(declared_needs()).value
    news = server.add_channel(guild, "fr-news")
    forum = guild.channel_named("forum")
    watchers = server.add_role("watchers")  # not mentionable: the bot's own permission pings it
    for options in ({"channel": news, "role": watchers}, {"channel": forum}):
        handle = banwatch_bot.slash("alerts subscribe", options, as_moderator=True)
        assert (await handle.wait_response())["data"]["content"].startswith("Subscribed")
    write_news(banwatch_bot.app.corpus_dir, "a.md", **SPRINGFIELD_BAN)
    await banwatch_bot.app.ingest()
    (post,) = await server.wait_for_messages(news, 1)
    assert post["content"] == f"<@&{watchers.id}>"
    await server.wait_for(
        lambda: any(c.parent_id == forum.id for c in guild.channels.values()), what="a forum post"
    )
    assert await cmd_doctor(argparse.Namespace(), banwatch_bot.bot.settings) == 0
    out = capsys.readouterr().out
    assert "ok   alerts #1: #fr-news" in out and "ping @watchers" in out
    assert "ok   alerts #2: #forum" in out


async def test_a_broken_channel_is_rechecked_for_what_alerts_declare(
    banwatch_bot: BanwatchHarness,
) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    poster = DiscordPoster(banwatch_bot.bot)
    forum, news = guild.channel_named("forum"), server.add_channel(guild, "news")
    # A forum post needs Send Messages, not Create Public Threads.
    server.set_overwrite(forum, server.bot_role(), deny=[Permission.create_public_threads])
    assert await poster.reachable(str(forum.id)) and await poster.reachable(str(news.id))
    server.set_overwrite(forum, server.bot_role(), deny=[Permission.send_messages])
    server.set_overwrite(news, server.bot_role(), deny=[Permission.embed_links])
    assert not await poster.reachable(str(forum.id))
    assert not await poster.reachable(str(news.id))
