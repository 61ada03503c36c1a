"""A task cancelled while its transaction is starting leaves the store usable; the end of a
bulk write is not failed by another task's query on the same connection; a migration is all
or nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

import bot.store._base as store_base
from bot.ingest import ingest_corpus
from bot.store import Store
from bot.store._base import StoreError, migrations


async def test_a_transaction_cancelled_while_beginning_leaves_none_open(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "t.db") as store:
        for _ in range(20):

            async def write() -> None:
                async with store.transaction() as db:
                    await db.execute("CREATE TABLE IF NOT EXISTS t (x)")

            task = asyncio.ensure_future(write())
            await asyncio.sleep(0)  # the BEGIN is queued on aiosqlite's thread
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            # Before: "cannot start a transaction within a transaction" from here on.
            async with store.transaction() as db:
                await db.execute("CREATE TABLE IF NOT EXISTS t (x)")


async def test_the_checkpoint_after_a_bulk_write_gives_way_to_an_unfinished_read(
    tmp_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(tmp_path / "t.db") as store:
        async with store.fewer_checkpoints(64):
            summary = await ingest_corpus(store, corpus_dir)
            # Another task's query, between its execute and its fetch, as the ingest ends (the
            # bot's alerts scan was, as a re-scan ended): emptying the write-ahead log on this
            # connection was refused ("database table is locked") and the re-scan failed.
            reading = await store._db.execute("SELECT * FROM sqlite_master")
        assert await reading.fetchone() is not None
        await reading.close()
        assert summary.new and await store.count_articles() == len(summary.new)


async def test_a_migration_that_fails_midway_leaves_nothing_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.db"
    async with await Store.open(path) as store:
        version = await store.schema_version()
    broken = "CREATE TABLE half_done (x);\nINSERT INTO half_done VALUES (1);\nSELECT no_such();\n"
    monkeypatch.setattr(
        store_base, "migrations", lambda: [*migrations(), (version + 1, "broken", broken)]
    )
    with pytest.raises(StoreError):
        await Store.open(path)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone() == (version,)
    tables = connection.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'")
    assert tables.fetchall() == []
    connection.close()
