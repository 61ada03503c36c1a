"""Shared pytest fixtures: temp databases, a copy of the seed corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.loopback.fixtures import *  # noqa: F403

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"


def subprocess_env(**settings: str) -> dict[str, str]:
    """The environment for a ``python -m bot`` subprocess: none of the developer's own
    banwatch or Discord settings, the checkout importable, plus ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BANWATCH_", "DISCORD_", "DEV_GUILD"))
    }
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env.update(settings)
    return env


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
