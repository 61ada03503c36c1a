"""Moderator drafts in the store: publish once, owner only, stale ones dropped, event dates."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.articles import DRAFT_GONE, NOT_DRAFT_OWNER, Actor, ArticleDraft, Moderation
from bot.service import Banwatch, BanwatchError
from bot.store import Store

AUTHOR = Actor("111111111111111111", "222222222222222222")


@pytest.fixture
async def moderation(
    db_path: Path, migrated_db: Path, corpus_dir: Path
) -> AsyncIterator[Moderation]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        yield Moderation(app)


def a_draft(date: str = "") -> ArticleDraft:
    return ArticleDraft(
        title="Somerville votes to ban facial recognition",
        url="https://example.org/somerville-ban",
        date=date,
        provider="Example",
        text="SOMERVILLE, Mass. The council voted to ban facial recognition.",
    )


async def test_draft_is_published_once_even_when_clicked_twice(moderation: Moderation) -> None:
    draft_id, preview = await moderation.save_draft(a_draft(), AUTHOR)
    before = await moderation.store.count_articles()
    results = await asyncio.gather(
        moderation.publish_draft(draft_id, AUTHOR),
        moderation.publish_draft(draft_id, AUTHOR),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and str(errors[0]) == DRAFT_GONE
    assert await moderation.store.count_articles() == before + 1
    # The date the preview showed is the one stored, not the publishing time.
    published = next(r for r in results if not isinstance(r, BaseException))
    assert published.article.published_at == preview.article.published_at


async def test_only_the_author_can_publish_or_cancel(moderation: Moderation) -> None:
    draft_id, _ = await moderation.save_draft(a_draft("2020-01-02"), AUTHOR)
    other = Actor("333333333333333333", AUTHOR.guild_id)
    for action in (moderation.publish_draft, moderation.cancel_draft):
        with pytest.raises(BanwatchError, match=NOT_DRAFT_OWNER):
            await action(draft_id, other)
    await moderation.cancel_draft(draft_id, AUTHOR)
    with pytest.raises(BanwatchError, match="already published or cancelled"):
        await moderation.publish_draft(draft_id, AUTHOR)


async def test_stale_drafts_are_dropped(moderation: Moderation) -> None:
    draft_id, _ = await moderation.save_draft(a_draft(), AUTHOR)
    assert await moderation.store.drop_stale_drafts("2000-01-01T00:00:00+00:00") == 0
    assert await moderation.store.drop_stale_drafts("9999-01-01T00:00:00+00:00") == 1
    assert await moderation.store.get_draft(draft_id) is None


@pytest.mark.parametrize("bad", ["", "   ", "2020-02-30", "soon", "1899-12-31", "3000-01-01"])
async def test_bad_event_dates_are_refused(moderation: Moderation, bad: str) -> None:
    target = (await moderation.app.search("postpones vote"))[0].id
    with pytest.raises(BanwatchError, match="event date"):
        await moderation.correct_article(target, AUTHOR, event_date=bad)
    assert await moderation.store.get_correction(target) is None


async def test_event_date_correction(moderation: Moderation) -> None:
    target = (await moderation.app.search("postpones vote"))[0].id
    result = await moderation.correct_article(target, AUTHOR, event_date="Dec 3 2019")
    assert result.after is not None and result.after.event_date.isoformat() == "2019-12-03"
