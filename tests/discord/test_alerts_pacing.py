"""Alerts paced by Discord's own limits, through discord.py and the loopback server's buckets."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import discord
import pytest

from bot.alerts.sender import Sender
from bot.alerts.service import enqueue_guild_notice
from bot.store import Store
from cogs.alerts import DiscordPoster
from tests.loopback.server import LoopbackDiscord


@pytest.fixture
async def client(loopback_discord: LoopbackDiscord) -> AsyncIterator[discord.Client]:
    """A REST-only client logged in to the loopback server (all the sender needs)."""
    client = discord.Client(intents=discord.Intents.none())
    await client.login(loopback_discord.token)
    yield client
    await client.close()


async def subscribed(server: LoopbackDiscord, store: Store, *names: str) -> list[int]:
    guild = server.guild
    ids = []
    for name in names:
        channel = server.add_channel(guild, name)
        await store.add_subscription(
            guild_id=str(guild.id), channel_id=str(channel.id), channel_kind="text", created_by="u"
        )
        ids.append(channel.id)
    return ids


async def test_a_busy_channel_waits_on_its_bucket_and_holds_back_no_other(
    loopback_discord: LoopbackDiscord, banwatch_store: Store, client: discord.Client
) -> None:
    server = loopback_discord
    server.set_channel_rate_limit(2, per_seconds=0.3)
    server.set_global_rate_limit(50)
    (busy,) = await subscribed(server, banwatch_store, "busy")
    for number in range(6):
        await enqueue_guild_notice(banwatch_store, str(server.guild.id), f"b{number}", "Busy", "x")
    (quiet,) = await subscribed(server, banwatch_store, "quiet")
    await enqueue_guild_notice(banwatch_store, str(server.guild.id), "q", "Both", "x")

    result = await Sender(banwatch_store, DiscordPoster(client)).run_once()
    assert result.delivered == 7 + 1 and result.retried == 0
    assert server.rate_limited_count == 0  # discord.py waited on the channel's bucket
    posts = server.messages_in(busy)
    (quiet_post,) = server.messages_in(quiet)
    assert len(posts) == 7
    # Queued after all six, the quiet channel's post went out in the busy one's first window.
    assert int(quiet_post["id"]) < int(posts[2]["id"])


async def test_a_channel_429_discord_py_gives_up_on_holds_that_channel_only(
    loopback_discord: LoopbackDiscord, banwatch_store: Store, client: discord.Client
) -> None:
    server = loopback_discord
    limited, other = await subscribed(server, banwatch_store, "limited", "other")
    await enqueue_guild_notice(banwatch_store, str(server.guild.id), "n", "Notice", "x")
    # discord.py sleeps out each 429's retry_after and tries 5 times, then raises.
    server.rate_limit_next(rf"^/channels/{limited}/messages$", count=5, retry_after=0.05)
    now = [dt.datetime.now(dt.UTC)]
    sender = Sender(banwatch_store, DiscordPoster(client), clock=lambda: now[0])
    first = await sender.run_once()
    assert first.delivered == 1 and first.retried == 1
    assert len(server.messages_in(other)) == 1 and server.messages_in(limited) == []
    (waiting,) = await banwatch_store.outbox_entries(states=["queued"])
    assert waiting.detail.startswith("rate limited (channel)")
    assert sender.pacer._held_until == 0.0  # the global pace was not held for it
    # Once Reset-After (50 ms; the outbox keeps times to the second) is over, it is posted.
    now[0] += dt.timedelta(seconds=1)
    assert (await sender.run_once()).delivered == 1
    assert len(server.messages_in(limited)) == 1
    limited_posts = server.requests_matching(rf"^/channels/{limited}/messages$", "POST")
    assert [request.status for request in limited_posts] == [429] * 5 + [200]
