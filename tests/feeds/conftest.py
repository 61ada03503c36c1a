"""Fixtures: a loopback feed server and the feeds core over a real store."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.feeds import Feeds, FeedSettings, FetchLimits, parse_networks
from bot.store import Store


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(db_path: Path, migrated_db: Path) -> AsyncIterator[Store]:
    shutil.copyfile(migrated_db, db_path)
    async with await Store.open(db_path) as opened:
        yield opened


def loopback_settings(**changes: object) -> FeedSettings:
    """Feed settings for tests: loopback allowed, short time limit."""
    options: dict[str, object] = {
        "interval_seconds": 60,
        "allowed_networks": parse_networks("loopback"),
        "limits": FetchLimits(timeout=2.0),
    }
    options.update(changes)
    return FeedSettings(**options)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def feeds(store: Store, clock: Clock) -> AsyncIterator[Feeds]:
    service = Feeds(store, loopback_settings(), clock=clock)
    try:
        yield service
    finally:
        await service.close()
