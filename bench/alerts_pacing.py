"""Benchmark (not a test): alerts paced by Discord's real limits on the loopback server.

The server enforces Discord's global 50 requests/s and its per-channel limit of 5 messages
per 5 s, with the X-RateLimit-* headers discord.py reads. Two cases:

- ``busy``: 1,000 items queued for one channel; the figure is the first ``--measure`` (300)
  items: 429s and messages/s (Discord's ceiling for one channel is 1/s). A second server's
  channel gets a notice every 20 s meanwhile: how long each waited shows whether the busy
  channel holds the others back.
- ``fanout``: one item to each of 1,000 channels at once: 429s and messages/s (ceiling 48/s,
  the sender's pace).

The sender runs as the bot runs it: passes of at most 5 s (``SEND_PASS_SECONDS``), one after
another. Run: ``python -m bench.alerts_pacing [busy|fanout|both]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import discord

from bot.alerts.sender import DEFAULT_RATE, Sender
from bot.alerts.service import enqueue_guild_notice
from bot.discord.api_base import configure_api_base
from bot.store import Store
from cogs.alerts import SEND_PASS_SECONDS, DiscordPoster
from tests.loopback.server import LoopbackDiscord


async def _subscribe(store: Store, guild_id: int, channel_id: int) -> None:
    await store.add_subscription(
        guild_id=str(guild_id), channel_id=str(channel_id), channel_kind="text", created_by="bench"
    )


def _report(case: str, figures: dict[str, float]) -> None:
    shown = (f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    print(f"{case}: " + " ".join(shown), flush=True)


async def _serve(sender: Sender, until: asyncio.Event) -> None:
    """The cog's send loop: a pass, then the next, until told to stop."""
    while not until.is_set():
        await sender.run_once()
        await asyncio.sleep(0.05)


async def busy(items: int, measure: int) -> dict[str, float]:
    """``items`` alerts queued for one channel; the first ``measure`` timed."""
    server = LoopbackDiscord()
    await server.start()
    server.set_global_rate_limit(50)
    server.set_channel_rate_limit(5, 5.0)
    guild = server.add_guild("busy", default_channels=False)
    channel = server.add_channel(guild, "busy", notify=False)
    other_guild = server.add_guild("other", default_channels=False)
    other = server.add_channel(other_guild, "other", notify=False)
    configure_api_base(server.api_base)
    client = discord.Client(intents=discord.Intents.none())
    waits: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with await Store.open(Path(tmp) / "bench.db") as store:
            await _subscribe(store, guild.id, channel.id)
            await _subscribe(store, other_guild.id, other.id)
            for number in range(items):
                await enqueue_guild_notice(
                    store, str(guild.id), f"busy:{number}", f"Alert {number}", "Busy channel."
                )
            await client.login(server.token)
            sender = Sender(store, DiscordPoster(client), pass_seconds=SEND_PASS_SECONDS)
            stop = asyncio.Event()
            started = time.perf_counter()
            serving = asyncio.create_task(_serve(sender, stop))
            next_notice = started + 10
            notices = 0
            while len(server.messages_in(channel.id)) < measure:
                await asyncio.sleep(0.02)
                now = time.perf_counter()
                if now >= next_notice:
                    notices += 1
                    queued_at = now
                    await enqueue_guild_notice(
                        store, str(other_guild.id), f"other:{notices}", "Other", "Elsewhere."
                    )
                    next_notice = now + 20
                    pending = notices
                    while len(server.messages_in(other.id)) < pending:
                        await asyncio.sleep(0.02)
                    waits.append(time.perf_counter() - queued_at)
            elapsed = time.perf_counter() - started
            stop.set()
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
            await client.close()
    await server.close()
    figures = {
        "measured": measure,
        "seconds": elapsed,
        "messages_per_second": measure / elapsed,
        "http_429s": server.rate_limited_count,
        "other_channel_waits": len(waits),
        "other_channel_max_wait_s": max(waits, default=0.0),
    }
    _report("busy", figures)
    return figures


async def fanout(channels: int) -> dict[str, float]:
    """One alert to each of ``channels`` channels at once."""
    server = LoopbackDiscord()
    await server.start()
    server.set_global_rate_limit(50)
    server.set_channel_rate_limit(5, 5.0)
    guild = server.add_guild("fanout", default_channels=False)
    targets = [server.add_channel(guild, f"c{i}", notify=False) for i in range(channels)]
    configure_api_base(server.api_base)
    client = discord.Client(intents=discord.Intents.none())
    with tempfile.TemporaryDirectory() as tmp:
        async with await Store.open(Path(tmp) / "bench.db") as store:
            for channel in targets:
                await _subscribe(store, guild.id, channel.id)
            await enqueue_guild_notice(store, str(guild.id), "fanout:1", "Alert", "Everywhere.")
            await client.login(server.token)
            sender = Sender(store, DiscordPoster(client), pass_seconds=SEND_PASS_SECONDS)
            started = time.perf_counter()
            delivered = 0
            while delivered < channels:
                delivered += (await sender.run_once()).delivered
            elapsed = time.perf_counter() - started
            await client.close()
    await server.close()
    in_channels = sum(len(server.messages_in(channel.id)) for channel in targets)
    figures = {
        "channels": channels,
        "delivered": in_channels,
        "seconds": elapsed,
        "messages_per_second": in_channels / elapsed,
        "http_429s": server.rate_limited_count,
    }
    _report("fanout", figures)
    return figures


def main() -> None:
    """Parse options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case", nargs="?", choices=["busy", "fanout", "both"], default="both")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--measure", type=int, default=300)
    parser.add_argument("--channels", type=int, default=1000)
    args = parser.parse_args()
    print(f"sender pace {DEFAULT_RATE:.0f}/s; server: global 50/s, 5 posts per 5 s per channel")
    if args.case in ("fanout", "both"):
        asyncio.run(fanout(args.channels))
    if args.case in ("busy", "both"):
        asyncio.run(busy(args.items, args.measure))


if __name__ == "__main__":
    main()
