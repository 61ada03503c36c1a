"""Benchmark (not a test): one alert fanned out to 2,000 channels on the loopback server.

The server enforces Discord's global limit of 50 requests/s; the sender paces itself below
it (``BANWATCH_ALERTS_RATE``, default 48/s). Prints messages/s and how many 429s the server
answered; ``--runs 3`` repeats on fresh servers and reports the median. Run:
``python -m bench.alerts_fanout [--channels 2000] [--rate 48] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import discord

from bot.alerts.sender import DEFAULT_RATE, Sender
from bot.alerts.service import enqueue_guild_notice
from bot.discord.api_base import configure_api_base
from bot.store import Store
from cogs.alerts import DiscordPoster
from tests.loopback.server import LoopbackDiscord


async def run(channels: int, rate: float, concurrency: int) -> float:
    """Fan one notice out to ``channels`` subscribed channels and report the figures."""
    server = LoopbackDiscord()
    await server.start()
    guild = server.add_guild("bench", default_channels=False)
    targets = [server.add_channel(guild, f"c{i}", notify=False) for i in range(channels)]
    configure_api_base(server.api_base)
    client = discord.Client(intents=discord.Intents.none())
    with tempfile.TemporaryDirectory() as tmp:
        async with await Store.open(Path(tmp) / "bench.db") as store:
            for channel in targets:
                await store.add_subscription(
                    guild_id=str(guild.id),
                    channel_id=str(channel.id),
                    channel_kind="text",
                    created_by="bench",
                )
            queued = await enqueue_guild_notice(
                store, str(guild.id), "bench:1", "Benchmark alert", "One alert, many channels."
            )
            await client.login(server.token)
            server.set_global_rate_limit(50)
            sender = Sender(store, DiscordPoster(client), rate=rate, concurrency=concurrency)
            started = time.perf_counter()
            result = await sender.run_once()
            elapsed = time.perf_counter() - started
            await client.close()
    await server.close()
    delivered = sum(len(server.messages_in(channel)) for channel in targets)
    rate_seen = delivered / elapsed
    print(
        f"channels={channels} queued={queued} delivered={result.delivered}"
        f" in_channels={delivered} seconds={elapsed:.1f}"
        f" messages_per_second={rate_seen:.1f} http_429s={server.rate_limited_count}",
        flush=True,
    )
    return rate_seen


def main() -> None:
    """Parse options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    figures = [
        asyncio.run(run(args.channels, args.rate, args.concurrency)) for _ in range(args.runs)
    ]
    if args.runs > 1:
        print(f"median messages_per_second={statistics.median(figures):.1f} over {args.runs} runs")


if __name__ == "__main__":
    main()
