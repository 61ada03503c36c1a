"""A task cancelled while its transaction is starting leaves the store usable; the end of a
bulk write is not failed by another task's query on the same connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.ingest import ingest_corpus
from bot.store import Store


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
