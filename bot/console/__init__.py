"""``banwatch console``: the bot's slash commands typed in a terminal or piped in.

This module is the dispatcher; each feature's commands live in a page of the same name as
its cog (``bot/console/tracker.py`` beside ``cogs/tracker.py``), and each command calls the
same core method the cog calls, printing the answer as text. A page defines
``register_console(console)`` and is listed in :data:`CONSOLE_PAGES`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import re
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot import render
from bot.console._prompt import Prompt
from bot.models import CONSOLE_GUILD
from bot.render import terminal_text
from bot.service import PLACE_KEY, Banwatch, BanwatchError

log = logging.getLogger(__name__)

Handler = Callable[["Console", dict[str, str], list[str]], Awaitable[str]]
# Runs after every command; returns text to print after the answer ("" for nothing).
AfterCommand = Callable[[], Awaitable[str]]

__all__ = ["CONSOLE_GUILD", "YES", "Console", "ConsoleCommand", "parse_arguments"]

# A whole word in quotes (not an option's quoted value, as in title:"Ban FR").
QUOTED_WORD = re.compile(r"""(?<![\w:])("[^"]*"|'[^']*')""")

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
    "bot.console.review",
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


# What reads as an option name (``digest_hour:17``); "https://..." and "10:30" are text.
OPTION_NAME = re.compile(r"^[a-z][a-z_]*$")


def parse_arguments(text: str, options: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Split ``status:ban state:MA`` style options from free words, as Discord's client does.

    An option the command doesn't have is an error naming the ones it has (Discord's client
    would not let it through either), not free text.
    """
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    # A word quoted whole stays a word: /status "state:US:WA" asks for a place key, not for an
    # option named state (shlex drops the quotes, so note which words had them).
    quoted_words = {match[1:-1] for match in QUOTED_WORD.findall(text)}
    named: dict[str, str] = {}
    words: list[str] = []
    for token in tokens:
        quoted = token in quoted_words
        key, sep, value = token.partition(":")
        if quoted:
            words.append(token)
        elif sep and key in options and value:
            named[key] = value
        elif (
            sep
            and value
            and OPTION_NAME.match(key)
            and not value.startswith("//")
            and not PLACE_KEY.match(token)  # "state:US:WA", as pick menus send it
        ):
            valid = ", ".join(f"`{option}:`" for option in options) or "none"
            raise BanwatchError(f"Unknown option `{key}:`. The options here are: {valid}.")
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
        try:
            named, words = parse_arguments(rest, command.options)
            answer = await command.handler(self, named, words)
        except BanwatchError as exc:
            answer = f"Sorry: {exc}"
        except Exception as exc:
            # Like the bot's error handler: a short answer, the traceback in the log. The
            # command's name only, never its arguments (a signer's name, ZIP, reason).
            log.error("console command /%s failed: %r", command.name, exc, exc_info=exc)
            answer = "Sorry, something went wrong on my side. It has been logged."
        # e.g. the alerts print what the command added to the corpus would post.
        for callback in self.after_command:
            extra = await callback()
            if extra:
                answer = f"{answer}\n\n{extra}" if answer else extra
        return answer

    async def run(self, stream: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
        """Read commands until end of input (or /quit), printing each answer as plain text.

        On a terminal: line editing and history (``readline``, kept in
        :data:`HISTORY_FILE`), Ctrl-C drops the line being typed or stops the running
        command, and Ctrl-D ends the session with the shell's prompt on a new line.
        """
        interactive = stream is sys.stdin and stream.isatty() and out is sys.stdout
        if interactive:
            out.write("banwatch console. Type /help for commands, /quit to leave.\n")
            _load_history()
        with contextlib.ExitStack() as stack:
            prompt = stack.enter_context(Prompt()) if interactive else None
            if interactive:
                stack.callback(_save_history)
            while True:
                try:
                    line = prompt.read_line("> ") if prompt else stream.readline()
                    if line is None or (not interactive and not line):
                        break
                    if line.strip() in ("/quit", "/exit", "quit", "exit"):
                        break
                    answer = await (self._cancellable(line) if interactive else self.handle(line))
                    if answer:
                        out.write(terminal_text(answer) + "\n")
                        out.flush()
                except KeyboardInterrupt:
                    # A Ctrl-C in the moment no prompt or command holds it (as an answer is
                    # printed, or just after Enter): the line is dropped, the session goes on.
                    if not interactive:
                        raise
                    out.write("\n")
                    out.flush()

    async def _cancellable(self, line: str) -> str:
        """Run one command; Ctrl-C while it runs stops it, and the console goes on."""
        task = asyncio.ensure_future(self.handle(line))
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise  # the console itself is being stopped
            return "Cancelled."
        finally:
            loop.remove_signal_handler(signal.SIGINT)


# Where the console keeps the lines typed on a terminal, for the arrow keys next time.
HISTORY_FILE = Path("~/.banwatch_history")
HISTORY_LINES = 1000


def _load_history() -> None:
    try:
        import readline  # line editing and history for input(); absent on some builds
    except ImportError:
        return
    readline.set_history_length(HISTORY_LINES)
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE.expanduser())


def _save_history() -> None:
    try:
        import readline
    except ImportError:
        return
    with contextlib.suppress(OSError):
        readline.write_history_file(HISTORY_FILE.expanduser())


async def _help(console: Console, named: dict[str, str], words: list[str]) -> str:
    extra = [
        f"  /{command.name:<22} {command.summary}"
        for command in console.commands.values()
        if command.name not in HELP_TEXT_COMMANDS
    ]
    return render.HELP_TEXT + ("\n\nMore:\n" + "\n".join(extra) if extra else "")
