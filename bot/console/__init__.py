"""``banwatch console``: the bot's slash commands typed in a terminal or piped in.

This module is the dispatcher; each feature's commands live in a page of the same name as
its cog (``bot/console/tracker.py`` beside ``cogs/tracker.py``), and each command calls the
same core method the cog calls, printing the answer as text. A page defines
``register_console(console)`` and is listed in :data:`CONSOLE_PAGES`.
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
from bot.models import CONSOLE_GUILD
from bot.service import Banwatch, BanwatchError

log = logging.getLogger(__name__)

Handler = Callable[["Console", dict[str, str], list[str]], Awaitable[str]]
# Runs after every command; returns text to print after the answer ("" for nothing).
AfterCommand = Callable[[], Awaitable[str]]

__all__ = ["CONSOLE_GUILD", "YES", "Console", "ConsoleCommand", "parse_arguments"]

# What a console user types for yes (``agree:yes``, ``confirm:yes``).
YES = ("yes", "y", "true", "1")

# One page per feature, named as its cog; each defines ``register_console(console)``. The
# order is the order of /help's "More" list.
CONSOLE_PAGES: tuple[str, ...] = (
    "bot.console.tracker",
    "bot.console.articles",
    "bot.console.petitions",
    "bot.console.privacy",
    "bot.console.alerts",
    "bot.console.config",
    "bot.console.feeds",
    "bot.console.map",
)
# The commands /help's own text (render.HELP_TEXT) lists; the others follow it under "More".
HELP_TEXT_COMMANDS = frozenset({"status", "timeline", "cities", "search", "news", "map", "help"})


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
        for module_name in CONSOLE_PAGES:
            importlib.import_module(module_name).register_console(self)
        self.register(ConsoleCommand("help", _help, (), "this screen"))

    def register(self, command: ConsoleCommand) -> None:
        """Add a command (each page adds its feature's)."""
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
            # Like the bot's error handler: a short answer, the traceback in the log. The
            # command's name only: its options may be a signer's name or ZIP.
            log.exception("console command failed: /%s", name[:40])
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


async def _help(console: Console, named: dict[str, str], words: list[str]) -> str:
    extra = [
        f"  /{command.name:<22} {command.summary}"
        for command in console.commands.values()
        if command.name not in HELP_TEXT_COMMANDS
    ]
    return render.HELP_TEXT + ("\n\nMore:\n" + "\n".join(extra) if extra else "")
