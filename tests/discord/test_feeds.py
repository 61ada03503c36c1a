"""Feeds end to end: the real bot on the loopback Discord server, polling a feed served by a
loopback HTTP server (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from bot.alerts.models import QUEUED
from bot.store import Store
from tests.discord.harness import BanwatchHarness, start_banwatch
from tests.feeds.support import FR_POLICY, NOT_FR, FeedServer, item, rss
from tests.loopback.server import LoopbackDiscord

# Polled every second, and from 127.0.0.1: what a test (or a self-hosted feed) needs.
FAST_FEEDS = {"feeds_interval_seconds": 1, "feeds_allow_networks": "loopback"}
HOSTILE_TITLE = "@everyone <@123> [click](https://evil.example) Chicago bans facial recognition"


async def until(predicate: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Wait until ``predicate()`` is true (checked every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def reply(harness: BanwatchHarness, name: str, options: dict[str, object]) -> str:
    """The text of the bot's (ephemeral) answer to a moderator's command."""
    handle = harness.slash(name, options, as_moderator=True)
    response = await handle.wait_response()
    assert harness.is_ephemeral(response)
    if response.get("type") == 5:  # deferred: the answer is an edit of the original
        return (await handle.wait_edited())["content"]
    return response["data"]["content"]


async def polls_after(feed_server: FeedServer, count: int) -> None:
    """Wait until the feed has been fetched ``count`` more times (the last one's answer may
    still be being read)."""
    seen = len(feed_server.requests)
    await until(lambda: len(feed_server.requests) >= seen + count, f"{count} more polls")


async def test_a_feed_item_is_posted_once_others_skipped_and_a_restart_repeats_nothing(
    loopback_discord: LoopbackDiscord,
    db_path: Path,
    corpus_dir: Path,
    feed_server: FeedServer,
    discord_errors: object,
) -> None:
    server = loopback_discord
    other = item(**NOT_FR)
    feed_server.serve("/feed.xml", rss([other]))
    async with (
        await Store.open(db_path) as store,
        start_banwatch(server, store, corpus_dir, **FAST_FEEDS) as harness,
    ):
        news = server.add_channel(harness.guild, "feed-news")
        # A subscription that posts everything: what waits for review is tested in
        # tests/discord/test_review.py.
        assert (
            await reply(harness, "alerts subscribe", {"channel": news, "review": "all"})
        ).startswith("Subscribed")
        added = await reply(harness, "feeds add", {"url": feed_server.url("/feed.xml")})
        assert "Following feed #1" in added and "1 not about facial recognition" in added
        # The feed gains an FR policy item (and one with a hostile title).
        policy = item(**FR_POLICY)
        hostile = item(
            HOSTILE_TITLE, "CHICAGO — The City Council voted to ban police use of the technology."
        )
        feed_server.serve("/feed.xml", rss([policy, hostile, other]))
        polled = len(feed_server.requests)
        posts = await server.wait_for_messages(news, 2, timeout=10)
        # Posted after the poll that saw them, not at some later re-scan (counted in polls,
        # not seconds: a loaded machine slows both alike).
        assert len(feed_server.requests) - polled <= 3
        titles = sorted(post["embeds"][0]["title"] for post in posts)
        assert titles[1] == FR_POLICY["title"]
        assert "@everyone" not in titles[0] and "<@123>" not in titles[0]
        assert all(post["mention_everyone"] is False and not post["mentions"] for post in posts)
        assert all(not post["content"] for post in posts)
        # More polls bring nothing more: posted exactly once.
        await polls_after(feed_server, 1)
        await harness.app.alerts.scan()
        assert await harness.app.alerts.outbox(guild_id=None, states=[QUEUED], limit=10) == []
        assert len(server.messages_in(news)) == 2
        why = await reply(harness, "feeds why", {"item_url": other["link"]})
        assert "skipped: not about facial recognition" in why
        taken = await reply(harness, "feeds why", {"item_url": policy["link"]})
        assert "taken into the corpus as article" in taken
        listing = await reply(harness, "feeds list", {})
        assert "items taken 2 · skipped 1" in listing
        refused = harness.slash("feeds list", {})  # a member, not a moderator
        assert "only moderators" in (await refused.wait_response())["data"]["content"]
    # A restart: the database opened again, the feed served afresh (no ETag match) with one
    # more item.
    later = item("Springfield plans a new bike lane on Main Street", "The city will add one.")
    feed_server.serve("/feed.xml", rss([later, policy, hostile, other]))
    async with (
        await Store.open(db_path) as store,
        start_banwatch(server, store, corpus_dir, **FAST_FEEDS) as harness,
    ):
        # Two requests: a feed's next poll starts only once the one before was recorded.
        await polls_after(feed_server, 2)
        await harness.app.alerts.scan()
        assert await harness.app.alerts.outbox(guild_id=None, states=[QUEUED], limit=10) == []
        assert len(server.messages_in(news)) == 2
        assert "not about facial recognition" in await reply(
            harness, "feeds why", {"item_url": later["link"]}
        )


async def test_failing_and_recovered_feeds_are_told_once_in_the_log_channel(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    feed_server: FeedServer,
    discord_errors: object,
) -> None:
    server = loopback_discord

    async def gone(request: web.Request) -> web.StreamResponse:
        return web.Response(status=410, text="gone")

    feed_server.route("/feed.xml", gone)
    async with start_banwatch(server, banwatch_store, corpus_dir, **FAST_FEEDS) as harness:
        config = harness.bot.get_cog("Config")
        config.notice_loop.change_interval(seconds=0.05)  # type: ignore[union-attr]
        log_channel = server.add_channel(harness.guild, "mod-log")
        told = await reply(harness, "config log-channel", {"channel": log_channel})
        assert f"<#{log_channel.id}>" in told
        added = await reply(harness, "feeds add", {"url": feed_server.url("/feed.xml")})
        assert "FAILING since" in added and "HTTP 410 Gone" in added
        (failing,) = await server.wait_for_messages(log_channel, 1)
        assert "is failing (it is gone" in failing["content"] and failing["nonce"]
        again = await reply(harness, "feeds check", {"feed": "1"})  # still gone: told once
        assert "FAILING since" in again
        del feed_server.routes["/feed.xml"]
        feed_server.serve("/feed.xml", rss([item(**NOT_FR)]))
        checked = await reply(harness, "feeds check", {"feed": "1"})
        assert checked.startswith("```\nPolled now: 1 entries") and "  ok ·" in checked
        messages = await server.wait_for_messages(log_channel, 2)
        assert "has recovered" in messages[1]["content"]
        await reply(harness, "feeds check", {"feed": "1"})
        await asyncio.sleep(0.2)
        assert len(server.messages_in(log_channel)) == 2


async def test_only_the_home_servers_moderators_manage_feeds(
    banwatch_bot: BanwatchHarness,
) -> None:
    banwatch_bot.app.home_guild_id = banwatch_bot.guild.id + 1
    answer = await reply(banwatch_bot, "feeds list", {})
    assert "moderators of banwatch's home server" in answer
    banwatch_bot.app.home_guild_id = None  # the bot's only server is home
    assert "No feeds yet" in await reply(banwatch_bot, "feeds list", {})
    refused = await reply(banwatch_bot, "feeds add", {"url": "file:///etc/passwd"})
    assert "only http:// and https://" in refused


async def test_a_long_feed_list_comes_as_a_file(banwatch_bot: BanwatchHarness) -> None:
    for number in range(40):
        await banwatch_bot.store.add_feed(
            f"https://news{number}.example/a/rather/long/path/to/its/feed.xml",
            interval_seconds=900,
            added_by="test",
            guild_id=None,
            channel_id=None,
            next_poll_at=time.time() + 3600,  # not polled during the test
        )
    handle = banwatch_bot.slash("feeds list", {}, as_moderator=True)
    response = await handle.wait_response()
    data = response["data"]
    assert len(data["content"]) <= 2000 and data["content"].startswith("```\n#1 ")
    assert "Every feed is in the attached file." in data["content"]
    assert [a["filename"] for a in data["attachments"]] == ["feeds.txt"]
