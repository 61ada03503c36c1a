"""``banwatch console``: the bot's slash commands typed in a terminal or piped in.

Each command calls the same core method the Discord cog calls and prints the answer as text.
Later features register their commands with :meth:`Console.register`.
"""

from __future__ import annotations

import importlib
import logging
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TextIO

from bot import render
from bot.petitions import Petitions, render_open_petitions
from bot.service import Banwatch, BanwatchError

log = logging.getLogger(__name__)

Handler = Callable[["Console", dict[str, str], list[str]], Awaitable[str]]
# Runs after every command; returns text to print after the answer ("" for nothing).
AfterCommand = Callable[[], Awaitable[str]]

# The console is one local community: guild-scoped features (petitions) use this guild id.
CONSOLE_GUILD = "console"

# Feature modules that add console commands; each defines ``register_console(console)``.
CONSOLE_EXTENSIONS: tuple[str, ...] = (
    "bot.moderation",
    "bot.petition_console",
    "bot.alerts.console",
)


@dataclass(frozen=True, slots=True)
class ConsoleCommand:
    """A console command: its options (``name:value``) and a one-line description."""

    name: str
    handler: Handler
    options: tuple[str, ...]
    summary: str


def parse_arguments(text: str, options: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Split ``status:ban state:MA`` style options from free words, as Discord's client does."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    named: dict[str, str] = {}
    words: list[str] = []
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key in options and value:
            named[key] = value
        else:
            words.append(token)
    return named, words


class Console:
    """Reads command lines, runs them against the core, prints readable answers."""

    def __init__(self, app: Banwatch, *, user_id: str = "console-user") -> None:
        self.app = app
        self.user_id = user_id
        self.commands: dict[str, ConsoleCommand] = {}
        self.after_command: list[AfterCommand] = []
        for command in CORE_COMMANDS:
            self.commands[command.name] = command
        for module_name in CONSOLE_EXTENSIONS:
            importlib.import_module(module_name).register_console(self)

    def register(self, command: ConsoleCommand) -> None:
        """Add a command (later features: alerts, petitions, privacy, article)."""
        if command.name in self.commands:
            raise ValueError(f"console command {command.name!r} registered twice")
        self.commands[command.name] = command

    async def handle(self, line: str) -> str:
        """Run one command line and return the answer (errors are answers too)."""
        line = line.strip()
        if not line or line.startswith("#"):
            return ""
        name, _, rest = line.lstrip("/").partition(" ")
        # "/article add" style groups: try the two-word name first.
        sub, _, sub_rest = rest.strip().partition(" ")
        command = self.commands.get(f"{name} {sub}".lower()) if sub else None
        if command is not None:
            rest = sub_rest
        else:
            command = self.commands.get(name.lower())
        if command is None:
            return f"Unknown command /{name}. Type /help for the list."
        named, words = parse_arguments(rest, command.options)
        try:
            answer = await command.handler(self, named, words)
        except BanwatchError as exc:
            answer = f"Sorry: {exc}"
        except Exception:
            # Like the bot's error handler: a short answer, the traceback in the log.
            log.exception("console command failed: %s", line[:100])
            answer = "Sorry, something went wrong on my side. It has been logged."
        # e.g. the alerts print what the command added to the corpus would post.
        for callback in self.after_command:
            extra = await callback()
            if extra:
                answer = f"{answer}\n\n{extra}" if answer else extra
        return answer

    async def run(self, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
        """Read commands until end of input (or /quit), printing each answer."""
        interactive = stream.isatty()
        if interactive:
            out.write("banwatch console. Type /help for commands, /quit to leave.\n")
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = stream.readline()
            if not line:
                break
            if line.strip() in ("/quit", "/exit", "quit", "exit"):
                break
            answer = await self.handle(line)
            if answer:
                out.write(answer + "\n")
                out.flush()


def _place_argument(named: dict[str, str], words: list[str], key: str = "place") -> str:
    return named.get(key) or " ".join(words)


async def _status(console: Console, named: dict[str, str], words: list[str]) -> str:
    result = await console.app.status(_place_argument(named, words))
    answer = render.render_status(result)
    petitions = await Petitions(console.app).open_for_place(
        guild_id=CONSOLE_GUILD, place_key=result.jurisdiction.key
    )
    if petitions:
        answer += "\n\nOpen petitions:\n" + render_open_petitions(petitions)
    return answer


async def _timeline(console: Console, named: dict[str, str], words: list[str]) -> str:
    return render.render_timeline(await console.app.timeline(_place_argument(named, words)))


async def _cities(console: Console, named: dict[str, str], words: list[str]) -> str:
    status = named.get("status")
    state = named.get("state")
    for word in words:
        if status is None and word.lower() in render.STATUS_LABELS:
            status = word
        elif state is None:
            state = word
    return render.render_cities(await console.app.cities(status=status, state=state))


async def _search(console: Console, named: dict[str, str], words: list[str]) -> str:
    query = named.get("query") or " ".join(words)
    return render.render_articles(await console.app.search(query))


async def _news(console: Console, named: dict[str, str], words: list[str]) -> str:
    days_text = named.get("days")
    if days_text is None and words and words[-1].isdigit():
        days_text = words.pop()
    try:
        days = int(days_text) if days_text else None
    except ValueError:
        raise BanwatchError("`days` must be a whole number.") from None
    place = named.get("place") or " ".join(words) or None
    articles = await console.app.news(place, days)
    return render.render_articles(articles, empty="No policy news in that window.")


async def _help(console: Console, named: dict[str, str], words: list[str]) -> str:
    extra = [
        f"  /{command.name:<22} {command.summary}"
        for command in console.commands.values()
        if command not in CORE_COMMANDS
    ]
    return render.HELP_TEXT + ("\n\nMore:\n" + "\n".join(extra) if extra else "")


CORE_COMMANDS: tuple[ConsoleCommand, ...] = (
    ConsoleCommand("status", _status, ("place",), "status of a place"),
    ConsoleCommand("timeline", _timeline, ("place",), "dated events for a place"),
    ConsoleCommand("cities", _cities, ("status", "state"), "places by status"),
    ConsoleCommand("search", _search, ("query",), "full-text search"),
    ConsoleCommand("news", _news, ("place", "days"), "latest policy items"),
    ConsoleCommand("help", _help, (), "this screen"),
)
