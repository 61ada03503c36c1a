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
