"""Full-text search: best match first, bounded work on words every article contains."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import Banwatch
from bot.store import Store
from bot.store import _articles as articles_module


def _write(directory: Path, name: str, title: str, body: str, year: int) -> None:
    (directory / f"{name}.md").write_text(
        f'---\ntitle: "{title}"\nexcerpt: "A report."\n'
        # A year apart: same-provider headlines this alike days apart would merge as one story.
        f"publishedDateTime: {2000 + year}-03-01T12:00:00Z\n"
        f'webUrl: "https://news.example.org/{name}"\n---\n{body}\n',
        encoding="utf-8",
    )


@pytest.fixture
async def app(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(1, 21):
        _write(
            corpus,
            f"story{number:02d}",
            f"Council hears testimony number {number}",
            "Residents spoke about facial recognition and Clearview at length.",
            number,
        )
    _write(corpus, "headline", "Clearview fined by regulator", "The company will appeal.", 25)
    store = await Store.open(tmp_path / "search.db")
    banwatch = Banwatch(store, corpus)
    await banwatch.ingest()
    yield banwatch
    await store.close()


async def test_a_headline_match_ranks_above_body_mentions(app: Banwatch) -> None:
    found = await app.search("clearview")
    assert found[0].title == "Clearview fined by regulator"
    assert len(found) == 10


async def test_retracted_articles_are_left_out_and_the_page_still_fills(app: Banwatch) -> None:
    best = (await app.search("clearview"))[0]
    await app.store.retract_article(best.id, "wrong story")
    found = await app.search("clearview")
    assert best.id not in {article.id for article in found}
    assert len(found) == 10


async def test_a_word_in_every_article_ranks_only_the_latest_matches(
    app: Banwatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(articles_module, "SEARCH_RANKED", 5)
    found = await app.search("residents", limit=20)
    # Only the five articles stored last were ranked (ingest reads files in name order).
    assert [article.title for article in found] == [
        f"Council hears testimony number {number}" for number in (20, 19, 18, 17, 16)
    ]
