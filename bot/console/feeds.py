"""The feeds' console page (/feeds add|list|remove|check|why) and ``banwatch feeds ...``.

The console user and the command line act as the home server's moderators: whoever runs
them runs banwatch.
"""

from __future__ import annotations

import argparse
import json

from bot.console import Console, ConsoleCommand
from bot.console.cli import command, open_app
from bot.errors import BanwatchError
from bot.settings import Settings


def _every(named: dict[str, str]) -> int | None:
    text = named.get("every_minutes")
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise BanwatchError("`every_minutes` is a whole number (5-1440).") from None


async def _add(console: Console, named: dict[str, str], words: list[str]) -> str:
    url = named.get("url") or (words[0] if words else "")
    if not url:
        raise BanwatchError("Give the feed's address, e.g. `/feeds add url:https://...`.")
    feed = await console.app.feeds.add(url, actor_id=console.user_id, every_minutes=_every(named))
    return f"Following feed #{feed.id}.\n" + await console.app.feeds.check(feed.id)


async def _list(console: Console, named: dict[str, str], words: list[str]) -> str:
    return await console.app.feeds.list_text()


async def _remove(console: Console, named: dict[str, str], words: list[str]) -> str:
    ref = named.get("feed") or (words[0] if words else "")
    feed = await console.app.feeds.remove(ref, actor_id=console.user_id)
    return f"Stopped following feed #{feed.id}: {feed.url}"


async def _check(console: Console, named: dict[str, str], words: list[str]) -> str:
    return await console.app.feeds.check(named.get("feed") or (words[0] if words else None))


async def _why(console: Console, named: dict[str, str], words: list[str]) -> str:
    return await console.app.feeds.why(named.get("item_url") or " ".join(words))


def register_console(console: Console) -> None:
    """Add /feeds add|list|remove|check|why to a console."""
    for page_command in (
        ConsoleCommand("feeds add", _add, ("url", "every_minutes"), "follow a news feed"),
        ConsoleCommand("feeds list", _list, (), "the feeds and their health"),
        ConsoleCommand("feeds remove", _remove, ("feed",), "stop following a feed"),
        ConsoleCommand("feeds check", _check, ("feed",), "poll a feed now"),
        ConsoleCommand("feeds why", _why, ("item_url",), "why a feed's item was taken or not"),
    ):
        console.register(page_command)


# -- the command line: banwatch feeds ... (its arguments are declared in bot.console.cli) --


@command("feeds")
async def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """Manage the feeds from the command line (as the home server's moderators would)."""
    async with open_app(settings) as app:
        feeds = app.feeds
        if args.verb == "add":
            feed = await feeds.add(args.url, actor_id="cli", every_minutes=args.every_minutes)
            print(f"Following feed #{feed.id}.\n" + await feeds.check(feed.id))
        elif args.verb == "list" and args.json:
            rows = [
                {
                    "id": feed.id,
                    "url": feed.url,
                    "title": feed.title,
                    "interval_seconds": feed.interval_seconds,
                    "failing_since": feed.failing_since,
                    "failures": feed.failures,
                    "last_success_at": feed.last_success_at,
                    "last_error_at": feed.last_error_at,
                    "last_error": feed.last_error,
                    "items_taken": feed.items_taken,
                    "items_skipped": feed.items_skipped,
                    "skipped_last_30_days": reasons,
                    "last_poll": feed.last_result,
                }
                for feed, reasons in await feeds.health()
            ]
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        elif args.verb == "list":
            print(await feeds.list_text())
        elif args.verb == "remove":
            feed = await feeds.remove(args.feed, actor_id="cli")
            print(f"Stopped following feed #{feed.id}: {feed.url}")
        elif args.verb == "check":
            print(await feeds.check(args.feed))
        else:
            print(await feeds.why(args.item_url))
    return 0
