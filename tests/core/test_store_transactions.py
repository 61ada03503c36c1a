"""A task cancelled while its transaction is starting leaves the store usable."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
