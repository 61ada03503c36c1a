"""The ``banwatch`` command line: the core's operations offline, and the bot's entry point."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import render
from bot.backup import BackupError, backup, prune, restore
from bot.errors import CorpusDirectoryMissing
from bot.models import CONSOLE_GUILD
from bot.service import Banwatch, BanwatchError
from bot.settings import Settings, SettingsError, load_settings
from bot.store import Store, StoreError

if TYPE_CHECKING:
    from bot.alerts.models import OutboxEntry
    from bot.ingest import IngestSummary
    from bot.tracker import JurisdictionStatus

log = logging.getLogger("bot")

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    """Register an ``async def cmd(args, settings) -> exit code`` under ``name``."""

    def decorator(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return decorator


REFRESH_RULE = (
    "A look-up (status, timeline, cities, search, news) first re-reads the corpus only if no"
    " ingest of it began in the last BANWATCH_REFRESH_SECONDS (default 60) on this database:"
    " `banwatch ingest`, a look-up's own, or the running bot's re-scan, which looks at every"
    " file every BANWATCH_RESCAN_SECONDS. A file edited within that time is seen by the next"
    " look-up after it, or at once with --refresh or `banwatch ingest`."
)


@asynccontextmanager
async def open_app(
    settings: Settings, *, ingest: bool = False, refresh: bool = False, quiet: bool = True
) -> AsyncIterator[Banwatch]:
    """Open the store for the length of a command; with ``ingest``, refresh the corpus first
    (by the refresh rule, or whatever its age with ``refresh``)."""
    async with await Store.open(settings.db_path) as store:
        app = Banwatch.from_settings(store, settings)
        try:
            if ingest:
                progress = None if quiet else terminal_progress
                if refresh:
                    summary: IngestSummary | None = await app.ingest(progress=progress)
                else:
                    summary = await app.refresh(settings.refresh_seconds, progress=progress)
                if summary is not None and summary.changed:
                    print(changes_line(summary), file=sys.stderr)
            yield app
        finally:
            # A feed polled from the console or the command line opened an HTTP session.
            await app.close()


def changes_line(summary: IngestSummary) -> str:
    """What a look-up's refresh found: the counts, files refused this time, and files
    refused before only as a count with where to see them."""
    lines = summary.render().splitlines()[:1]
    earlier = set(summary.rejected_earlier)
    lines += [
        f"  rejected {path}: {reason}" for path, reason in summary.rejected if path not in earlier
    ]
    if earlier:
        lines.append(
            f"  {len(earlier)} files rejected earlier and unchanged since:"
            " `banwatch ingest --rejected` lists them"
        )
    return "\n".join(lines)


def terminal_progress(number: int, total: int, name: str) -> None:
    """Show ``[n/total] file`` on a terminal; silent when stderr is a pipe or file."""
    if not sys.stderr.isatty() or total < 20:
        return
    end = "\n" if number == total else ""
    sys.stderr.write(f"\r[{number}/{total}] {name[:50]:<50}{end}")
    sys.stderr.flush()


def print_json(data: Any) -> None:
    """Pretty JSON on stdout."""
    print(json.dumps(data, indent=2, ensure_ascii=False))


@command("ingest")
async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Load or refresh the corpus and print the summary."""
    # No directory: the configured one, after the bundled corpus (unless it is turned off).
    directory = Path(args.directory) if args.directory else None
    async with open_app(settings.with_corpus(directory) if directory else settings) as app:
        try:
            summary = await app.ingest(directory, progress=terminal_progress)
        except CorpusDirectoryMissing as exc:
            print(f"banwatch: {exc}", file=sys.stderr)
            return 2
        rejected = await app.rejected_files() if args.rejected else []
    if args.rejected:
        print(summary.render().splitlines()[0])
        print("\n".join(f"rejected {path}: {reason}" for path, reason in rejected))
    else:
        print(summary.render())
    return 0


async def _place_answer(
    args: argparse.Namespace,
    settings: Settings,
    answer: Callable[[Banwatch, str], Awaitable[JurisdictionStatus]],
    text: Callable[..., str],
) -> int:
    """Print one place's answer (``/status`` or ``/timeline``), marked by the console
    server's confidence threshold, as text or JSON."""
    async with open_app(settings, ingest=True, refresh=args.refresh) as app:
        result = await answer(app, args.place)
        threshold = await app.review.threshold(CONSOLE_GUILD)
    if args.json:
        print_json(render.status_json(result, threshold=threshold))
    else:
        print(text(result, threshold=threshold))
    return 0


@command("status")
async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """The status of one place."""
    return await _place_answer(args, settings, Banwatch.status, render.render_status)


@command("timeline")
async def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """The dated events for one place."""
    return await _place_answer(args, settings, Banwatch.timeline, render.render_timeline)


@command("cities")
async def cmd_cities(args: argparse.Namespace, settings: Settings) -> int:
    """Places by status."""
    async with open_app(settings, ingest=True, refresh=args.refresh) as app:
        results = await app.cities(status=args.status, state=args.state)
        threshold = await app.review.threshold(CONSOLE_GUILD)
    if args.json:
        print_json([render.status_json(result, threshold=threshold) for result in results])
    else:
        print(render.render_cities(results, threshold))
    return 0


@command("search")
async def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Full-text search."""
    async with open_app(settings, ingest=True, refresh=args.refresh) as app:
        articles = await app.search(" ".join(args.query), limit=args.limit)
    if args.json:
        print_json([render.article_json(article) for article in articles])
    else:
        print(render.render_articles(articles))
    return 0


@command("news")
async def cmd_news(args: argparse.Namespace, settings: Settings) -> int:
    """Latest policy items."""
    async with open_app(settings, ingest=True, refresh=args.refresh) as app:
        articles = await app.news(args.place, args.days, limit=args.limit)
    if args.json:
        print_json([render.article_json(article) for article in articles])
    else:
        print(render.render_articles(articles, empty="No policy news in that window."))
    return 0


@command("extract")
async def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    """Print the extraction of every article in the given files (no database)."""
    from bot.corpus import CorpusError, parse_document
    from bot.extraction import extract
    from bot.ingest import to_article

    failures = 0
    for name in args.paths:
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                result = parse_document(file.read_bytes(), path=str(file))
            except (OSError, CorpusError) as exc:
                failures += 1
                print(f"banwatch: {exc}", file=sys.stderr)
                continue
            for problem in result.problems:
                print(f"banwatch: {file}: {problem}", file=sys.stderr)
            for parsed in result.articles:
                article = to_article(parsed)
                article.extraction = extract(article)
                data = render.article_json(article)
                if args.json:
                    print(json.dumps(data, ensure_ascii=False))
                else:
                    print(render.article_line(article))
    return 1 if failures and failures == sum(1 for _ in args.paths) else 0


def entry_line(entry: OutboxEntry) -> str:
    """One outbox row for people."""
    title = entry.payload.title if entry.payload else entry.subject
    return (
        f"{entry.updated_at[:19]}  #{entry.id:<5} sub {entry.subscription_id:<4}"
        f" {entry.channel_id:<20} {entry.kind:<6} {entry.describe()[:70]}  {title[:60]}"
    )


@command("alerts")
async def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:
    """Show the outbox: what waits to be posted, or the latest decisions."""
    from bot.alerts.models import QUEUED

    states = [QUEUED] if args.what == "pending" else None
    async with open_app(settings) as app:
        entries = await app.alerts.outbox(guild_id=args.guild, states=states, limit=args.limit)
    if args.json:
        rows = [
            {
                "id": e.id,
                "subscription": e.subscription_id,
                "guild": e.guild_id,
                "channel": e.channel_id,
                "kind": e.kind,
                "subject": e.subject,
                "state": e.state,
                "detail": e.detail,
                "attempts": e.attempts,
                "unconfirmed_since": e.attempted_at if e.unconfirmed else None,
                "message_id": e.message_id,
                "title": e.payload.title if e.payload else None,
                "updated_at": e.updated_at,
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not entries:
        print("Nothing queued." if args.what == "pending" else "The outbox is empty.")
    else:
        print("\n".join(entry_line(entry) for entry in entries))
    return 0


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@command("backup")
async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """A consistent copy of the database, safe while the bot runs (SQLite's backup API);
    with ``--keep N`` into a folder, only the newest N dated copies stay."""
    destination = Path(args.path).resolve()
    if args.keep is not None and not destination.is_dir():
        print("banwatch: --keep needs PATH to be a folder of dated backups.", file=sys.stderr)
        return 2
    try:
        result = await asyncio.to_thread(backup, settings.db_path, destination)
        removed = prune(destination, settings.db_path, args.keep) if args.keep else []
    except BackupError as exc:
        print(f"banwatch: {exc}", file=sys.stderr)
        return 1
    print(
        f"Backed up {settings.db_path} to {result.path}"
        f" ({_megabytes(result.size)}, schema version {result.schema_version}; integrity ok)."
    )
    if removed:
        print(f"Removed {len(removed)} older backup(s), keeping the newest {args.keep}.")
    return 0


@command("restore")
async def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Put a backup in place of the database; refused while a bot runs on it."""
    try:
        result = await asyncio.to_thread(restore, Path(args.path).resolve(), settings.db_path)
    except BackupError as exc:
        print(f"banwatch: {exc}", file=sys.stderr)
        return 1
    print(f"Restored {settings.db_path} from {Path(args.path).resolve()}.")
    if result.kept is not None:
        print(f"The database it replaced is kept at {result.kept}.")
    return 0


def _add_location_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--db", metavar="PATH", default=default, help="SQLite file (default: $BANWATCH_DB)"
    )
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        default=default,
        help="corpus directory (default: $BANWATCH_CORPUS or seeds/)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="banwatch",
        description="Track facial-recognition bans, moratoria and the news about them.",
        epilog=REFRESH_RULE,
    )
    # --db and --corpus are accepted before or after the subcommand; the subcommand's copy
    # defaults to SUPPRESS so it never overwrites a value given before it.
    _add_location_options(parser, default=None)
    common = argparse.ArgumentParser(add_help=False)
    _add_location_options(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lookup = argparse.ArgumentParser(add_help=False)
    lookup.add_argument(
        "--refresh",
        action="store_true",
        help="re-read the corpus first however recently it was (see the rule below)",
    )

    def add_lookup(name: str, helptext: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, parents=[common, lookup], help=helptext, epilog=REFRESH_RULE
        )

    p = sub.add_parser("ingest", parents=[common], help="load or refresh the corpus")
    p.add_argument("directory", nargs="?", help="corpus directory (default: the configured one)")
    p.add_argument(
        "--rejected",
        action="store_true",
        help="list every file refused, with the reason (look-ups only count them)",
    )

    for name, helptext in (("status", "status of a place"), ("timeline", "events for a place")):
        p = add_lookup(name, helptext)
        p.add_argument("place", help='e.g. Chicago, "Springfield MA", "Portland, Oregon"')
        p.add_argument("--json", action="store_true", help="print JSON")

    p = add_lookup("cities", "places by status")
    p.add_argument("--status", help="ban, moratorium, restricted, repealed, pending, ...")
    p.add_argument("--state", help="only places in this state (e.g. MA)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add_lookup("search", "full-text search")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add_lookup("news", "latest policy items")
    p.add_argument("place", nargs="?")
    p.add_argument("--days", type=int)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("extract", parents=[common], help="print what each article is about")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="one JSON object per article")

    p = sub.add_parser(
        "console", parents=[common], help="type the bot's slash commands without Discord"
    )
    p.add_argument("--user-id", default="console-user", help="the local user id commands act as")

    p = sub.add_parser("alerts", parents=[common], help="the alerts outbox")
    p.add_argument("what", choices=("pending", "log"), help="queued posts, or the latest rows")
    p.add_argument("--guild", help="only this guild id")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "backup", parents=[common], help="copy the database, safely while the bot runs"
    )
    p.add_argument("path", help="a new file, or a folder to put a dated copy in")
    p.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="with a folder: then delete all but the newest N dated copies there",
    )

    p = sub.add_parser("restore", parents=[common], help="put a backup back (stop the bot first)")
    p.add_argument("path", help="the backup file")

    p = sub.add_parser("map", parents=[common], help="draw the map of statuses into a PNG")
    p.add_argument("--out", default="banwatch-map.png", help="PNG file (default: %(default)s)")
    p.add_argument("--region", default="us", choices=("us", "europe", "world"), help="default: us")
    p.add_argument("--state", help="one US state instead (e.g. MA)")
    p = sub.add_parser(
        "site", parents=[common], help="write a self-contained status page to publish"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder for index.html")

    p = sub.add_parser("labels", parents=[common], help="the bundled corpus; reviewed labels")
    p.add_argument(
        "what",
        choices=("corpus", "export"),
        help="corpus: generate bot/data/bundled from tests/data; export: moderators' reviews",
    )
    p.add_argument("--check", action="store_true", help="corpus: only say if it is up to date")
    p.add_argument("--out", metavar="PATH", help="export: write here (default: stdout)")

    p = sub.add_parser("feeds", parents=[common], help="the news feeds banwatch polls")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    p = verbs.add_parser("add", parents=[common], help="follow a feed (polled at once)")
    p.add_argument("url")
    p.add_argument("--every-minutes", type=int, help="poll interval, 5-1440 (default 15)")
    p = verbs.add_parser("list", parents=[common], help="every feed with its health")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = verbs.add_parser("remove", parents=[common], help="stop following a feed")
    p.add_argument("feed", help="its number or URL")
    p = verbs.add_parser("check", parents=[common], help="poll a feed now (none: all soon)")
    p.add_argument("feed", nargs="?", help="its number or URL")
    p = verbs.add_parser("why", parents=[common], help="what became of a feed's item")
    p.add_argument("item_url")

    # The Discord commands; their module (and discord.py) is imported only to run one.
    p = sub.add_parser("run", parents=[common], help="run the Discord bot")
    p.add_argument(
        "--sync",
        action="store_true",
        help="sync application commands even if they look unchanged",
    )
    p = sub.add_parser(
        "sync", parents=[common], help="sync the slash commands to Discord, then exit"
    )
    p.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="sync to this guild only (instant); default: $DEV_GUILD_ID, else globally",
    )
    p = sub.add_parser(
        "invite",
        parents=[common],
        help="print the link that adds the bot to a server, and why it asks for each permission",
    )
    p.add_argument("--guild", type=int, metavar="ID", help="preselect this server in the link")
    p.add_argument(
        "--application-id",
        type=int,
        metavar="ID",
        help="the application's id (default: read from DISCORD_TOKEN)",
    )
    sub.add_parser(
        "doctor",
        parents=[common],
        help="check the set-up and what Discord sees of the bot; exits 1 if something is wrong",
    )
    return parser


# Subcommands whose handlers live elsewhere, registered with ``@command(name)`` when their
# module is imported: only when one of them is run (the Discord ones import discord.py).
COMMAND_MODULES: dict[str, str] = {
    "run": "bot.discord.runner",
    "sync": "bot.discord.runner",
    "map": "bot.console.map",
    "site": "bot.console.map",
    "labels": "bot.console.review",
    "feeds": "bot.console.feeds",
    "invite": "bot.discord.invite",
    "doctor": "bot.discord.doctor",
}


@command("console")
async def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """An interactive session taking the bot's commands."""
    from bot.console import Console

    async with open_app(settings, ingest=True, quiet=False) as app:
        console = Console(app, user_id=args.user_id)
        await console.run()
    return 0


# At DEBUG these loggers write raw gateway events and HTTP bodies: what signers type into a
# petition form, /privacy mydata replies. Signers' details never go to the log, whatever the level.
PRIVATE_DEBUG_LOGGERS = ("discord.gateway", "discord.http", "discord.webhook.async_", "aiosqlite")


def configure_logging(level: int) -> None:
    """The one logging set-up: stderr, timestamps, and no personal data at DEBUG."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in PRIVATE_DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    # banwatch never joins voice; discord.py's warning about its voice libraries is noise.
    logging.getLogger("discord.client").addFilter(
        lambda record: "voice will NOT be supported" not in record.getMessage()
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``banwatch`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings().with_db(args.db).with_corpus(args.corpus)
    except SettingsError as exc:
        print(f"banwatch: {exc}", file=sys.stderr)
        return 2
    configure_logging(
        getattr(logging, settings.log_level, logging.INFO)
        if args.command in ("run", "sync")
        else logging.WARNING
    )
    if args.command in COMMAND_MODULES:
        importlib.import_module(COMMAND_MODULES[args.command])
    handler = COMMANDS[args.command]
    try:
        return asyncio.run(handler(args, settings))
    except BanwatchError as exc:
        print(f"banwatch: {exc}", file=sys.stderr)
        return 1
    except (StoreError, CorpusDirectoryMissing) as exc:
        print(f"banwatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
