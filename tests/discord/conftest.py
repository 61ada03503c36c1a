"""Fixtures: the real banwatch bot, a real Store on a temp SQLite file and the seed corpus."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.discord.harness import BanwatchHarness, start_banwatch
from tests.loopback.fixtures import DiscordErrors
from tests.loopback.server import LoopbackDiscord


@pytest.fixture
async def banwatch_store(db_path: Path, migrated_db: Path) -> AsyncIterator[Store]:
    """A migrated store on a temp SQLite file (a copy of the session's migrated one)."""
    shutil.copyfile(migrated_db, db_path)
    async with await Store.open(db_path) as store:
        yield store


@pytest.fixture
async def banwatch_bot(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    discord_errors: DiscordErrors,
) -> AsyncIterator[BanwatchHarness]:
    """The banwatch bot (all shipped cogs) on the seed corpus, logged in to the loopback
    server with its commands synced to the guild; any unexpected ERROR log fails the test."""
    async with start_banwatch(loopback_discord, banwatch_store, corpus_dir) as harness:
        yield harness
