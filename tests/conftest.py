"""Shared pytest fixtures: temp databases, a copy of the seed corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.loopback.fixtures import *  # noqa: F403
from tests.subprocess_env import subprocess_env  # noqa: F401 (the tests import it from here)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feeds never resolve a name through DNS in a test: a test that needs a name passes its
    own resolver (tests never send traffic beyond 127.0.0.0/8)."""

    async def refuse(host: str, port: int) -> list[str]:
        raise AssertionError(f"a test asked DNS for {host!r}; pass Feeds(resolve=...)")

    monkeypatch.setattr("bot.feeds._guard.system_resolve", refuse)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the seed corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, target)
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh SQLite file path in the test's temp dir."""
    return tmp_path / "banwatch.db"
