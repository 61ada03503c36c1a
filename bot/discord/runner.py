"""``banwatch run`` and ``banwatch sync``: the entry point that owns the bot's lifetimes.

Open the store, ingest the corpus, build the bot with both, log in, sync commands only when
the command tree changed, serve (re-reading the corpus every ``BANWATCH_RESCAN_SECONDS``)
until SIGINT/SIGTERM, then close the bot and the store.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
import time

import aiohttp
import discord

from bot import places
from bot.backup import BackupError, instance_lock
from bot.console.cli import command
from bot.discord.api_base import configure_api_base
from bot.discord.client import BanwatchBot, sync_commands
from bot.rescans import CorpusRescans
from bot.service import Banwatch
from bot.settings import Settings, locations
from bot.store import Store

log = logging.getLogger(__name__)

# What the log says once every place's status is worked out ahead (the bench waits for it).
STATUSES_KEPT = "worked out ahead the status of"
# SQLite's page cache for the bot's connection (the default is 2 MiB). This VM, like many
# hosts, gives up its OS page cache within seconds; a search then read its words' postings
# and articles from the disk again. At 100,000 articles, 1,000 searches touch ~24 MiB of
# pages (migration 016); with the OS cache dropped every 100, they read 25 MiB from the
# disk with 16 MiB, and only the first touch of each page (20 MiB) with 24, 32 or 48. It
# costs up to that much memory as it fills, paid for by the packed city index
# (bot.places.CityIndex); 32 left the bot 5 MB under its 150 MB at rest, 24 leaves 14-19.
PAGE_CACHE_MIB = 24
PAGE_CACHE_LOG = "SQLite may keep in memory up to"

NO_TOKEN_MESSAGE = """\
banwatch: DISCORD_TOKEN is not set, so the bot can't log in to Discord.
  Create an application at https://discord.com/developers/applications, open Bot,
  press Reset Token and put the token in .env as DISCORD_TOKEN=... (see README,
  "Running on Discord"). Never commit or share it.
  To try every command without Discord, run: banwatch console"""

SECOND_BOT_HINT = (
    "Stop that bot first (systemctl stop banwatch, or Ctrl-C where it runs), or give this one"
    " its own database with --db or BANWATCH_DB."
)


def _token_or_complain(settings: Settings) -> str | None:
    if not settings.discord_token:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return None
    return settings.discord_token


async def _serve_until_signal(bot: BanwatchBot) -> None:
    """Run the gateway connection until it ends or SIGINT/SIGTERM arrives."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    connection = asyncio.create_task(bot.connect(reconnect=True), name="banwatch-gateway")
    stopping = asyncio.create_task(stop.wait(), name="banwatch-stop")
    try:
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            log.info("shutting down")
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
        stopping.cancel()
        await bot.close()
        if connection.done():
            connection.result()
        else:
            connection.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connection


async def _keep_statuses(app: Banwatch) -> None:
    """Work out the status of every place ahead of questions (Banwatch.keep_statuses); a
    failure costs only speed, so it is logged, never raised."""
    started = time.perf_counter()
    try:
        count = await app.keep_statuses()
    except Exception:
        log.exception("could not work out the places' statuses ahead of questions")
    else:
        log.info("%s %d places, in %.1f s", STATUSES_KEPT, count, time.perf_counter() - started)


async def _log_in(bot: BanwatchBot, token: str, settings: Settings) -> bool:
    """Log in, or say plainly why not (bad token, server unreachable); never shows the token."""
    where = settings.discord_api_base or "discord.com"
    try:
        await bot.login(token)
    except discord.LoginFailure:
        print("banwatch: Discord refused the token (DISCORD_TOKEN).", file=sys.stderr)
        return False
    except (aiohttp.ClientError, OSError) as exc:
        print(f"banwatch: can't reach {where}: {exc}", file=sys.stderr)
        return False
    except discord.HTTPException as exc:
        print(f"banwatch: {where} answered {exc.status} when logging in.", file=sys.stderr)
        return False
    return True


@command("run")
async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Discord bot until interrupted; one bot per database (the instance lock)."""
    token = _token_or_complain(settings)
    if token is None:
        return 2
    configure_api_base(settings.discord_api_base, settings.discord_gateway_url)
    # Paths, never the token: which .env, database and corpus this process uses.
    for name, where in locations(settings):
        log.info("using %s %s", name, where)
    with contextlib.ExitStack() as held:
        try:
            # Held until the process ends: a restore refuses meanwhile, and so does a second bot.
            held.enter_context(instance_lock(settings.db_path))
        except BackupError as exc:
            print(f"banwatch: {exc}\n  {SECOND_BOT_HINT}", file=sys.stderr)
            return 2
        return await _run(args, settings, token)


async def _run(args: argparse.Namespace, settings: Settings, token: str) -> int:
    """Open the store, ingest, log in and serve (``cmd_run`` holds the instance lock)."""
    async with await Store.open(settings.db_path) as store:
        await store.set_page_cache(PAGE_CACHE_MIB)
        log.info("%s %d MiB", PAGE_CACHE_LOG, await store.page_cache_kib() // 1024)
        app = Banwatch.from_settings(store, settings)
        summary = await app.ingest()
        for path, reason in summary.rejected:
            log.warning("corpus file rejected: %s: %s", path, reason)
        # Loaded before connecting, not by the first command: Discord waits 3 s for an answer.
        await asyncio.to_thread(places.gazetteer)
        # What is loaded now lives as long as the process: out of the garbage collector's
        # sight, a full collection no longer walks the gazetteer's and the extraction's
        # objects (before the city index was packed, ~300,000 of them: a 50-70 ms pause in
        # the middle of some command).
        gc.collect()
        gc.freeze()
        async with BanwatchBot(app, settings) as bot:
            if not await _log_in(bot, token, settings):
                return 2
            await sync_commands(bot, settings.dev_guild_id, force=args.sync)
            # Worked out while the bot already serves: a question before then is answered
            # the usual way, from the disk.
            keeping = asyncio.create_task(_keep_statuses(app), name="banwatch-keep-statuses")
            rescans = CorpusRescans(app, settings.rescan_seconds)
            rescans.start()
            # The feeds are polled while the bot serves, their items joining the corpus.
            app.feeds.start()
            try:
                await _serve_until_signal(bot)
            finally:
                await app.feeds.close()
                await rescans.stop()
                keeping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeping
    return 0


@command("sync")
async def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    """Sync the application commands to Discord (one guild or global) and exit."""
    token = _token_or_complain(settings)
    if token is None:
        return 2
    configure_api_base(settings.discord_api_base, settings.discord_gateway_url)
    guild_id = args.guild or settings.dev_guild_id
    async with await Store.open(settings.db_path) as store:
        app = Banwatch.from_settings(store, settings)
        async with BanwatchBot(app, settings) as bot:
            if not await _log_in(bot, token, settings):
                return 2
            count = await sync_commands(bot, guild_id, force=True)
    where = f"guild {guild_id}" if guild_id else "all servers (global; may take up to an hour)"
    print(f"Synced {count} commands to {where}.")
    return 0
