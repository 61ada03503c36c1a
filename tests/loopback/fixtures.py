"""Pytest fixtures: a loopback Discord server, an ERROR-log guard and running bots against it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import discord
import pytest

from bot.discord.api_base import configure_api_base
from tests.loopback.server import LoopbackDiscord

__all__ = [
    "DiscordErrors",
    "discord_errors",
    "loopback_discord",
    "running_bot",
    "start_bot",
]

WATCHED_LOGGERS = ("discord", "bot", "cogs")
ClientT = TypeVar("ClientT", bound=discord.Client)


@dataclass
class Expectation:
    """An ERROR record a test announced; ``matched`` holds the records it excused."""

    pattern: re.Pattern[str]
    required: bool
    matched: list[logging.LogRecord] = field(default_factory=list)


class DiscordErrors(logging.Handler):
    """Collects ERROR-and-above records from the ``discord``, ``bot`` and ``cogs`` loggers.

    discord.py runs commands, views and autocomplete in background tasks and only *logs* their
    exceptions, so a broken command would otherwise pass. Announce the ones a test provokes
    with ``expect(pattern)``; ``check()`` fails on any other, and on expectations never met.
    """

    def __init__(self, loggers: tuple[str, ...] = WATCHED_LOGGERS) -> None:
        super().__init__(level=logging.ERROR)
        self.logger_names = loggers
        self.records: list[logging.LogRecord] = []
        self.expectations: list[Expectation] = []
        self._arrived = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self._arrived.set()

    @staticmethod
    def describe(record: logging.LogRecord) -> str:
        """The record's logger, message and exception, as one searchable string."""
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f"\n{type(error).__name__}: {error}"
        return text

    def expect(self, pattern: str, *, required: bool = True) -> Expectation:
        """Excuse ERROR records matching the regex ``pattern`` (searched in logger name, message
        and exception); with ``required`` the test fails if none arrives."""
        expectation = Expectation(re.compile(pattern, re.DOTALL), required)
        self.expectations.append(expectation)
        return expectation

    def _unexpected(self) -> list[logging.LogRecord]:
        for expectation in self.expectations:
            expectation.matched.clear()
        unexpected = []
        for record in self.records:
            text = self.describe(record)
            for expectation in self.expectations:
                if expectation.pattern.search(text):
                    expectation.matched.append(record)
                    break
            else:
                unexpected.append(record)
        return unexpected

    async def wait_for(self, pattern: str, timeout: float = 5.0) -> logging.LogRecord:
        """Wait for an ERROR record matching ``pattern`` (does not excuse it: call ``expect``)."""
        regex = re.compile(pattern, re.DOTALL)
        async with asyncio.timeout(timeout):
            while True:
                for record in self.records:
                    if regex.search(self.describe(record)):
                        return record
                self._arrived.clear()
                await self._arrived.wait()

    def check(self) -> None:
        """Fail the test on unexpected ERROR records or unmet required expectations."""
        unexpected = self._unexpected()
        problems = [f"unexpected ERROR log: {self.describe(r)}" for r in unexpected]
        problems += [
            f"expected an ERROR log matching {e.pattern.pattern!r}, none arrived"
            for e in self.expectations
            if e.required and not e.matched
        ]
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)

    @contextlib.contextmanager
    def installed(self) -> Iterator[DiscordErrors]:
        """Attach to the watched loggers for the length of a ``with`` block."""
        loggers = [logging.getLogger(name) for name in self.logger_names]
        for logger in loggers:
            logger.addHandler(self)
        try:
            yield self
        finally:
            for logger in loggers:
                logger.removeHandler(self)


@pytest.fixture
async def loopback_discord() -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord server with one guild (``general``, ``announcements``,
    ``forum`` channels); discord.py is pointed at it for the test and back afterwards."""
    server = LoopbackDiscord()
    await server.start()
    server.add_guild()
    configure_api_base(server.api_base)
    try:
        yield server
    finally:
        configure_api_base(None)
        await server.close()


@pytest.fixture
def discord_errors() -> Iterator[DiscordErrors]:
    """Fails the test on ERROR records from discord/bot/cogs loggers not announced with
    ``discord_errors.expect(pattern)``."""
    collector = DiscordErrors()
    with collector.installed():
        yield collector
    collector.check()


@contextlib.asynccontextmanager
async def running_bot(
    client: ClientT,
    server: LoopbackDiscord,
    *,
    gateway_url: str | None = None,
    ready_timeout: float = 10.0,
) -> AsyncIterator[ClientT]:
    """Log ``client`` in to ``server``, connect it in a task, wait for READY and all guilds;
    close it cleanly on exit. The gateway is found through ``GET /gateway/bot`` unless
    ``gateway_url`` is given (as with DISCORD_GATEWAY_URL). Build the client with
    ``guild_ready_timeout=0.05`` or discord.py waits 2 s after the last GUILD_CREATE."""
    configure_api_base(server.api_base, gateway_url)
    try:
        await client.login(server.token)
    except BaseException:
        await client.close()
        raise
    task = asyncio.create_task(client.connect(reconnect=True), name="loopback-bot-connect")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if task in done:
            task.result()  # connect() ended before READY: raise its error
            raise RuntimeError("client.connect() returned before the client was ready")
        if ready not in done:
            raise TimeoutError(f"bot not ready after {ready_timeout}s against {server.url}")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5.0)


@pytest.fixture
async def start_bot(
    loopback_discord: LoopbackDiscord,
) -> AsyncIterator[Callable[[ClientT], Awaitable[ClientT]]]:
    """``bot = await start_bot(bot)``: run a discord.py client against ``loopback_discord``
    until the test ends."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(client: ClientT) -> ClientT:
            return await stack.enter_async_context(running_bot(client, loopback_discord))

        yield start
