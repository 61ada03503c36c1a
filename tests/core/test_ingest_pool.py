"""Big ingests read files in worker processes: the database must not tell."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import bot.ingest as ingest_module
from bench.ingest_corpus import generate
from bot.corpus import parse_document
from bot.ingest import ingest_corpus
from bot.store import SourceFile, Store
from tests.core.ingest_corpora import cancel_at, numbered_corpus
from tests.core.test_ingest_batches import dump, ingest_into

FAILING_NAME = "05.md"


def failing_read(
    path: Path, key: str, known: SourceFile | None, trusted: bool = False
) -> ingest_module._Read:
    """Stands in for ``_read_file`` in the workers (imported there by name): one file fails."""
    if path.name == FAILING_NAME:
        raise RuntimeError("extractor crashed in a worker")
    return ingest_module._read_file(path, key, known, trusted)


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers for any ingest, two of them even on a one-core machine."""
    monkeypatch.setattr(ingest_module, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(ingest_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(ingest_module, "POOL_MAX_WORKERS", 2)
    monkeypatch.setattr(ingest_module, "POOL_AHEAD_PER_WORKER", 2)


async def test_workers_write_what_reading_here_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: None
) -> None:
    corpus = tmp_path / "generated"
    generate(corpus, 60, seed=3)
    with_pool = await ingest_into(tmp_path / "pool.db", corpus)
    monkeypatch.setattr(ingest_module, "POOL_MIN_FILES", None)
    here = await ingest_into(tmp_path / "here.db", corpus)
    assert with_pool == here and here[0] and here[8]  # new articles, rejected files
    assert dump(tmp_path / "pool.db") == dump(tmp_path / "here.db")


def test_small_ingests_read_here() -> None:
    readers = ingest_module._Readers([(Path("x"), "x", None)] * 3)
    assert readers.pool is None


async def test_a_worker_failing_keeps_the_files_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: None
) -> None:
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    monkeypatch.setattr(ingest_module, "_read_file", failing_read)
    db = tmp_path / "failed.db"
    with pytest.raises(RuntimeError, match="crashed in a worker"):
        await ingest_into(db, corpus)
    tables = dump(db)
    assert sorted(Path(row[0]).name for row in tables["source_files"]) == [
        f"{n:02d}.md" for n in range(5)
    ]
    assert len(tables["articles"]) == 5 * 4

    monkeypatch.undo()
    summary = await ingest_into(db, corpus)
    assert summary[7] == 5 and len(summary[0]) == 5 * 4
    await ingest_into(tmp_path / "clean.db", corpus)
    assert dump(db) == dump(tmp_path / "clean.db")


async def test_an_ingest_with_workers_cancelled_midway_leaves_whole_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool: None
) -> None:
    """Cancelled while a worker reads the fifth file, the fourth read and not yet written."""
    stop_at = 5
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 3)
    corpus = tmp_path / "numbered"
    numbered_corpus(corpus, 10)
    db = tmp_path / "cancelled.db"

    async with await Store.open(db) as store:
        with pytest.raises(asyncio.CancelledError):
            await ingest_corpus(store, corpus, progress=cancel_at(stop_at))
    tables = dump(db)
    names = sorted(Path(row[0]).name for row in tables["source_files"])
    assert names == [f"{n:02d}.md" for n in range(len(names))]
    assert len(tables["articles"]) == 4 * len(names) and len(names) <= stop_at

    # The rest read here (workers write what reading here writes: the first test): the
    # ingest picks up where the cancelled one stopped, and ends as a clean one.
    monkeypatch.setattr(ingest_module, "POOL_MIN_FILES", None)
    await ingest_into(db, corpus)
    await ingest_into(tmp_path / "clean.db", corpus)
    assert dump(db) == dump(tmp_path / "clean.db")


def test_the_fork_servers_preload_reads_its_sample_article() -> None:
    """The fork server imports bot._reader_preload and ignores an import that fails (its
    workers would then each load the extraction again, slowly): it must import cleanly."""
    import importlib

    preload = importlib.import_module("bot._reader_preload")
    (article,) = parse_document(preload._SAMPLE, path="preload.md").articles
    assert "moratorium" in article.excerpt
    context = ingest_module._worker_context()
    assert context.get_start_method() in ("forkserver", "spawn")
