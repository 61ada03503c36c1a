"""Alerts under ``banwatch run`` (a real process): SIGKILLed mid-delivery and restarted, it
posts each alert once; its re-scan loop picks up a file dropped into the corpus.

The loopback server holds the answer to one post it has already stored (the bot dies
between Discord accepting a post and recording it) and stalls every later post before
storing it, so the kill always lands at the same point: some posts out, one unconfirmed,
the rest not sent. The restarted bot resends what is unrecorded with the same nonces.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.alerts.models import DELIVERED, QUEUED
from bot.alerts.service import Alerts
from bot.service import Banwatch
from bot.store import Store
from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, write_news
from tests.discord.harness import bot_process_env
from tests.loopback.model import ChannelType
from tests.loopback.server import RECORD, DiscordError, LoopbackDiscord


class StallingRoute:
    """Wraps one of the server's create routes (``_post_message`` or ``_post_thread``): the
    ``stall_at``-th request is carried out but its answer held, as if the bot died right after
    Discord accepted it; later ones wait unstored and, once released, fail with 500 (they never
    reached "Discord")."""

    def __init__(self, server: LoopbackDiscord, route: str, stall_at: int) -> None:
        self.original = getattr(server, route)
        self.stall_at = stall_at
        self.seen = 0
        self.active = True
        self.stalled = asyncio.Event()
        self.stalled_request: dict[str, Any] = {}
        self.stalled_response: dict[str, Any] | None = None
        self.release = asyncio.Event()
        setattr(server, route, self.post)

    async def post(self, request: web.Request) -> Any:
        if not self.active:
            return await self.original(request)
        self.seen += 1
        if self.seen < self.stall_at:
            return await self.original(request)
        if self.seen == self.stall_at:
            self.stalled_request = request[RECORD].json or {}
            self.stalled_response = await self.original(request)
            self.stalled.set()
            await self.release.wait()
            return self.stalled_response
        await self.release.wait()
        raise DiscordError(500, 0, "the bot was killed before this request arrived")


@contextlib.asynccontextmanager
async def banwatch_process(
    server: LoopbackDiscord, tmp_path: Path, corpus_dir: Path, log_name: str, **extra_env: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``banwatch run`` against ``server``; killed on exit if still running."""
    env = bot_process_env(server, tmp_path, corpus_dir, **extra_env)
    with (tmp_path / log_name).open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stderr=log
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def queue_alerts(server: LoopbackDiscord, tmp_path: Path, corpus_dir: Path) -> dict:
    """Three subscriptions (backfill and new items) with their posts queued in the outbox;
    returns {channel id: Counter of nonces} that must end up posted."""
    guild = server.guild
    channels = [server.add_channel(guild, f"alerts-{n}", notify=False) for n in range(3)]
    async with await Store.open(tmp_path / "run.db") as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        alerts = Alerts(app)
        common = {"guild_id": str(guild.id), "actor_id": "mod", "review": "all"}
        await alerts.subscribe(channel_id=str(channels[0].id), backfill=5, **common)
        await alerts.subscribe(channel_id=str(channels[1].id), state="MA", backfill=2, **common)
        await alerts.subscribe(channel_id=str(channels[2].id), backfill=3, **common)
        write_news(corpus_dir, "springfield.md", **SPRINGFIELD_BAN)
        write_news(corpus_dir, "portland.md", **PORTLAND_BAN, domain="or.example")
        await app.ingest()
        await alerts.scan()
        queued = await store.outbox_entries(guild_id=str(guild.id), states=[QUEUED], limit=500)
    expected: dict[str, Counter[str]] = {str(c.id): Counter() for c in channels}
    for entry in queued:
        expected[entry.channel_id][entry.nonce] += 1
    return expected


def posted(server: LoopbackDiscord, channel_ids: list[str]) -> dict[str, Counter[str]]:
    return {
        channel_id: Counter(str(m.get("nonce")) for m in server.messages_in(int(channel_id)))
        for channel_id in channel_ids
    }


async def test_sigkill_mid_delivery_then_restart_posts_each_alert_once(
    tmp_path: Path, corpus_dir: Path
) -> None:
    server = LoopbackDiscord()
    stalling = StallingRoute(server, "_post_message", stall_at=6)
    await server.start()
    server.add_guild()
    try:
        expected = await queue_alerts(server, tmp_path, corpus_dir)
        channel_ids = list(expected)
        total = sum(sum(c.values()) for c in expected.values())
        assert total >= 12 and all(expected.values())
        assert all(count == 1 for c in expected.values() for count in c.values())

        async with banwatch_process(server, tmp_path, corpus_dir, "first.log") as process:
            await asyncio.wait_for(stalling.stalled.wait(), 20)
            process.send_signal(signal.SIGKILL)
            assert await asyncio.wait_for(process.wait(), 10) == -signal.SIGKILL
        stalling.active = False
        stalling.release.set()
        before = posted(server, channel_ids)
        assert sum(sum(c.values()) for c in before.values()) == stalling.stall_at
        unconfirmed = stalling.stalled_request.get("nonce")

        server.invalidate_sessions()
        async with banwatch_process(server, tmp_path, corpus_dir, "second.log") as process:
            await server.wait_for(
                lambda: (
                    posted(server, channel_ids) == expected
                    or any(n > 1 for c in posted(server, channel_ids).values() for n in c.values())
                ),
                20,
                "every alert posted",
            )
            assert posted(server, channel_ids) == expected
            async with await Store.open(tmp_path / "run.db") as store:

                async def all_recorded() -> bool:
                    entries = await store.outbox_entries(
                        guild_id=str(server.guild.id), states=[QUEUED], limit=500
                    )
                    return not entries

                async with asyncio.timeout(10):
                    while not await all_recorded():
                        await asyncio.sleep(0.05)
                delivered = await store.outbox_entries(
                    guild_id=str(server.guild.id), states=[DELIVERED], limit=500
                )
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 15) == 0
        assert posted(server, channel_ids) == expected
        assert len(delivered) == total
        by_id = {m["id"]: m for c in channel_ids for m in server.messages_in(int(c))}
        assert all(by_id[e.message_id]["nonce"] == e.nonce for e in delivered)
        resent = [
            r
            for r in server.requests_matching(r"^/channels/\d+/messages$", "POST")
            if r.json and r.json.get("nonce") == unconfirmed
        ]
        assert len(resent) == 2 and all(r.json and r.json["enforce_nonce"] for r in resent)
    finally:
        stalling.release.set()
        await server.close()


async def rescans_after_the_new_file(log: Path, count: int, timeout: float = 20) -> None:
    """Wait until the bot's log shows ``count`` corpus reads after the re-scan that found the
    dropped file (each re-scan's ingest logs one summary line)."""
    async with asyncio.timeout(timeout):
        while True:
            _, found, after = log.read_text().partition("re-scan: 1 new")
            if found and after.count("bot.ingest: Ingest:") >= count:
                return
            await asyncio.sleep(0.05)


async def test_run_rescans_the_corpus_every_rescan_seconds(
    loopback_discord: LoopbackDiscord, tmp_path: Path, corpus_dir: Path
) -> None:
    server, guild = loopback_discord, loopback_discord.guild
    ma, everything, oregon = (server.add_channel(guild, n, notify=False) for n in "abc")
    async with await Store.open(tmp_path / "run.db") as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        alerts = Alerts(app)
        common = {"guild_id": str(guild.id), "actor_id": "mod", "review": "all"}
        await alerts.subscribe(channel_id=str(ma.id), state="MA", **common)
        await alerts.subscribe(channel_id=str(everything.id), **common)
        await alerts.subscribe(channel_id=str(oregon.id), state="OR", **common)
    async with banwatch_process(
        server, tmp_path, corpus_dir, "run.log", BANWATCH_RESCAN_SECONDS="1"
    ) as process:
        # Commands are synced after the start-up ingest: from here only a re-scan can see it.
        await server.wait_for(lambda: server.commands_for(guild), 20, "a command sync")
        write_news(corpus_dir, "dropped.md", **SPRINGFIELD_BAN)
        (post,) = await server.wait_for_messages(ma, 1, timeout=10)
        await server.wait_for_messages(everything, 1)
        assert post["embeds"][0]["title"] == SPRINGFIELD_BAN["title"]
        # Two more re-scans after the one that found the file post nothing again.
        await rescans_after_the_new_file(tmp_path / "run.log", 2)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    assert len(server.messages_in(ma)) == 1 and len(server.messages_in(everything)) == 1
    assert server.messages_in(oregon) == []
    assert "re-scan: 1 new" in (tmp_path / "run.log").read_text()


def forum_posts(server: LoopbackDiscord, forum: int) -> Counter[str]:
    """The outbox nonces of the forum's threads, read from their starter messages' markers."""
    nonces: Counter[str] = Counter()
    for thread in server.guild.channels.values():
        if thread.parent_id == forum:
            (first, *_) = server.messages_in(thread.id)
            nonces[first["embeds"][0]["footer"]["text"].rpartition("ref ")[2]] += 1
    return nonces


async def test_sigkill_after_a_forum_thread_is_created_then_restart_posts_it_once(
    tmp_path: Path, corpus_dir: Path
) -> None:
    server = LoopbackDiscord()
    stalling = StallingRoute(server, "_post_thread", stall_at=3)
    await server.start()
    guild = server.add_guild()
    try:
        forum = server.add_channel(guild, "alerts-forum", ChannelType.forum, notify=False)
        async with await Store.open(tmp_path / "run.db") as store:
            app = Banwatch(store, corpus_dir)
            await app.ingest()
            alerts = Alerts(app)
            common = {
                "guild_id": str(guild.id),
                "actor_id": "mod",
                "channel_kind": "forum",
                "review": "all",
            }
            # Two subscriptions on one forum post the same headlines: only markers differ.
            # (Their filters differ: the same channel with the same filters is refused.)
            await alerts.subscribe(channel_id=str(forum.id), backfill=3, **common)
            await alerts.subscribe(channel_id=str(forum.id), state="MA", backfill=2, **common)
            write_news(corpus_dir, "springfield.md", **SPRINGFIELD_BAN)
            await app.ingest()
            await alerts.scan()
            queued = await store.outbox_entries(guild_id=str(guild.id), states=[QUEUED])
        expected = Counter(entry.nonce for entry in queued)
        assert len(queued) >= 6 and set(expected.values()) == {1}
        titles = Counter(entry.payload.title for entry in queued if entry.payload)
        assert max(titles.values()) == 2  # the same thread name twice in one forum

        async with banwatch_process(server, tmp_path, corpus_dir, "first.log") as process:
            await asyncio.wait_for(stalling.stalled.wait(), 20)
            process.send_signal(signal.SIGKILL)
            assert await asyncio.wait_for(process.wait(), 10) == -signal.SIGKILL
        stalling.active = False
        stalling.release.set()
        assert sum(forum_posts(server, forum.id).values()) == stalling.stall_at
        assert stalling.stalled_response is not None
        unconfirmed = stalling.stalled_response["id"]
        # A moderator closes the unconfirmed thread meanwhile: it is only in the archive now.
        server.archive_thread(int(unconfirmed))

        server.invalidate_sessions()
        async with banwatch_process(server, tmp_path, corpus_dir, "second.log") as process:
            async with await Store.open(tmp_path / "run.db") as store:

                async def settled() -> bool:
                    left = await store.outbox_entries(guild_id=str(guild.id), states=[QUEUED])
                    return not left

                async with asyncio.timeout(20):
                    while not await settled():
                        await asyncio.sleep(0.05)
                delivered = await store.outbox_entries(
                    guild_id=str(guild.id), states=[DELIVERED], limit=500
                )
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 15) == 0
        assert forum_posts(server, forum.id) == expected
        assert len(delivered) == len(queued)
        recorded = {entry.nonce: entry.message_id for entry in delivered}
        marker_of_unconfirmed = forum_posts_by_id(server, forum.id)[unconfirmed]
        assert recorded[marker_of_unconfirmed] == unconfirmed
        created = server.requests_matching(r"^/channels/\d+/threads$", "POST")
        assert len(created) == len(queued)  # the unconfirmed one was never created again
        assert server.requests_matching(r"^/guilds/\d+/threads/active$", "GET")
        assert server.requests_matching(r"^/channels/\d+/threads/archived/public$", "GET")
    finally:
        stalling.release.set()
        await server.close()


def forum_posts_by_id(server: LoopbackDiscord, forum: int) -> dict[str, str]:
    """{thread id: outbox nonce of its marker}."""
    return {
        str(thread.id): server.messages_in(thread.id)[0]["embeds"][0]["footer"]["text"].rpartition(
            "ref "
        )[2]
        for thread in server.guild.channels.values()
        if thread.parent_id == forum
    }
