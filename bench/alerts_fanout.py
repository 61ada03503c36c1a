"""Benchmark (not a test): one alert fanned out to 2,000 channels on the loopback server.

The server enforces Discord's global limit of 50 requests/s; the sender paces itself below
it. Prints messages/s and how many 429s the server answered. Run:
``python -m bench.alerts_fanout [--channels 2000] [--rate 45]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import discord

from bot.alerts.sender import Sender
from bot.alerts.service import enqueue_guild_notice
from bot.discord_api import configure_api_base
from bot.store import Store
from cogs.alerts import DiscordPoster
from tests.loopback.server import LoopbackDiscord


async def run(channels: int, rate: float, concurrency: int) -> None:
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
    print(
        f"channels={channels} queued={queued} delivered={result.delivered}"
        f" in_channels={delivered} seconds={elapsed:.1f}"
        f" messages_per_second={delivered / elapsed:.1f} http_429s={server.rate_limited_count}"
    )


def main() -> None:
    """Parse options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=45.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.channels, args.rate, args.concurrency))


if __name__ == "__main__":
    main()
