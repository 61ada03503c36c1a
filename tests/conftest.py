"""Shared pytest fixtures: temp databases, a copy of the seed corpus."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store import Store
from tests.feeds.support import FeedServer
from tests.loopback.fixtures import *  # noqa: F403
from tests.subprocess_env import subprocess_env  # noqa: F401 (the tests import it from here)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """With ``-n auto``: one worker more than the cores this process may use. Many tests wait
    on a subprocess, the loopback Discord server or a feed server, and the extra worker fills
    those waits (on 2 cores the suite took 77-78 s with two workers, 68 s with three)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of the setting
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


# The longest files, started first so that no worker begins one of them near the end: the
# cross-validation alone takes 25-30 s. xdist hands out whole files in collection order only
# with --no-loadscope-reorder (pyproject.toml); by default it sorts files by their number of
# tests, which put the bundled corpus's first start and the kill tests (few tests, 15-20 s)
# among the last files.
_LONGEST_FIRST = (
    "tests/core/test_extraction_model.py",
    "tests/core/test_bundled.py",
    "tests/discord/test_alerts_kill.py",
    "tests/core/test_extraction_prefilter.py",
    "tests/discord/test_runner.py",
    "tests/core/test_ingest_batches.py",
    "tests/test_cli.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest files first (the order within a file stays as written)."""
    rank = {path: index for index, path in enumerate(_LONGEST_FIRST)}

    def key(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return rank.get(path, len(rank))

    items.sort(key=key)


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feeds never resolve a name through DNS in a test: a test that needs a name passes its
    own resolver (tests never send traffic beyond 127.0.0.0/8)."""

    async def refuse(host: str, port: int) -> list[str]:
        raise AssertionError(f"a test asked DNS for {host!r}; pass Feeds(resolve=...)")

    monkeypatch.setattr("bot.feeds._guard.system_resolve", refuse)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A loopback HTTP server of RSS feeds (the feeds' and the bot's feed tests)."""
    server = FeedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


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


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every migration applied, made once: a fresh one costs ~0.2 s of
    migrations, a copy of this ~0.01 s."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"

    async def create() -> None:
        async with await Store.open(path):
            pass

    asyncio.run(create())
    return path


@dataclass
class Ran:
    """What ``banwatch ...`` returned and printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def banwatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., Ran]]:
    """``banwatch(*args, cwd=..., env={...})``: the ``banwatch`` command line run in this
    process, as a subprocess would run it, without the subprocess's ~1 s of imports and
    gazetteer: in ``tmp_path`` (or ``cwd``), with none of the developer's settings plus
    ``env``, its log's warnings on stderr as the entry point sets it up. What a command sets
    in the environment (a .env file's settings) is undone after it."""
    from bot.console.cli import main

    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("BANWATCH_", "DISCORD_", "DEV_GUILD"))]:
        monkeypatch.delenv(name)
    # The bundled corpus only where a test asks for it, as for subprocesses (subprocess_env).
    monkeypatch.setenv("BANWATCH_BUNDLED_CORPUS", "off")

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Ran:
        saved = dict(os.environ)
        root = logging.getLogger()
        stderr_log = logging.StreamHandler(sys.stderr)
        stderr_log.setLevel(logging.WARNING)
        stderr_log.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stderr_log)
        try:
            with monkeypatch.context() as scoped:
                if cwd is not None:
                    scoped.chdir(cwd)
                for name, value in (env or {}).items():
                    scoped.setenv(name, value)
                try:
                    code = main(list(args))
                except SystemExit as exit_:  # --help, and argparse's usage errors
                    code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            root.removeHandler(stderr_log)
            os.environ.clear()
            os.environ.update(saved)
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    yield run
