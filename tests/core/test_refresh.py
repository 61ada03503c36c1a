"""The look-ups' refresh rule: re-read the corpus only if no ingest began recently."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import Banwatch
from bot.store import Store
from tests.alerts.support import SPRINGFIELD_BAN, write_news


@pytest.fixture
async def app(db_path: Path, migrated_db: Path, corpus_dir: Path) -> AsyncIterator[Banwatch]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        banwatch = Banwatch(store, corpus_dir)
        await banwatch.ingest()
        yield banwatch


async def test_a_look_up_after_a_corpus_change_sees_it_once_the_last_refresh_is_old(
    app: Banwatch,
) -> None:
    assert await app.refresh(60) is None  # the ingest just now is fresh enough
    write_news(app.corpus_dir, "new.md", **SPRINGFIELD_BAN)
    directory = str(app.corpus_dir.resolve())
    await app.store.mark_corpus_refreshed(directory, time.time() - 61)
    summary = await app.refresh(60)
    assert summary is not None and len(summary.new) == 1
    assert any(a.title == SPRINGFIELD_BAN["title"] for a in await app.search("Springfield"))
    assert await app.refresh(60) is None


async def test_an_edit_in_place_is_seen_by_a_zero_age_refresh(app: Banwatch) -> None:
    path = write_news(app.corpus_dir, "edited.md", **SPRINGFIELD_BAN)
    await app.ingest()
    text = path.read_text().replace("votes to ban", "votes to pause")
    path.write_text(text)  # same name, same folder: only the file's own time moves
    summary = await app.refresh(0)
    assert summary is not None and len(summary.updated) == 1


async def test_earlier_rejections_are_counted_apart_from_new_ones(app: Banwatch) -> None:
    (app.corpus_dir / "broken.md").write_bytes(b"---\ntitle: [oops\n---\n")
    first = await app.ingest()
    assert [path for path, _ in first.rejected] == [str(app.corpus_dir.resolve() / "broken.md")]
    assert first.rejected_earlier == [] and first.changed
    again = await app.ingest()
    assert again.rejected_earlier == [path for path, _ in first.rejected]
    assert not again.changed
    assert await app.rejected_files() == first.rejected


async def test_a_write_cancelled_at_any_point_leaves_no_transaction_open(app: Banwatch) -> None:
    directory = str(app.corpus_dir.resolve())
    for turns in range(8):
        task = asyncio.create_task(app.store.mark_corpus_refreshed(directory, 1.0))
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await app.store.mark_corpus_refreshed(directory, 2.0)  # raised when one was left open
    assert await app.store.corpus_refreshed_at(directory) == 2.0
