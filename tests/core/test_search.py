"""Full-text search: best match first, bounded work on words every article contains."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import Correction
from bot.service import Banwatch
from bot.store import Store
from bot.store import _search as articles_module


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


async def test_news_lists_policy_items_newest_first_with_corrections_applied(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    _write(corpus, "ban", "Oakland City Council votes to ban facial recognition", "Vote.", 19)
    _write(corpus, "launch", "Vendor launches facial recognition camera", "Product.", 20)
    _write(corpus, "sued", "ACLU sues Oakland police over facial recognition", "Suit.", 18)
    (corpus / "undated.txt").write_text(
        "facial recognition\n\nOakland council debates facial recognition ordinance\n\n"
        "Lawmakers in Oakland debate a ban.\n\nLocal Paper\n\nThe hearing went on.\n",
        encoding="utf-8",
    )
    store = await Store.open(tmp_path / "news.db")
    app = Banwatch(store, corpus)
    try:
        await app.ingest()
        titles = [a.title for a in await app.news()]
        # Dated items newest first, then undated; the product launch is not policy news.
        assert titles == [
            "Oakland City Council votes to ban facial recognition",
            "ACLU sues Oakland police over facial recognition",
            "Oakland council debates facial recognition ordinance",
        ]
        assert [a.title for a in await app.news(limit=1)] == titles[:1]
        launch = next(a for a in await store.all_articles() if "launches" in a.title)
        sued = next(a for a in await store.all_articles() if "sues" in a.title)
        await store.save_correction(
            Correction(launch.id, "mod", "2026-01-01", is_policy=True, action="company_policy"),
            None,
        )
        await store.save_correction(Correction(sued.id, "mod", "2026-01-01", is_policy=False), None)
        titles = [a.title for a in await app.news()]
        assert titles[0] == "Vendor launches facial recognition camera"
        assert "ACLU sues Oakland police over facial recognition" not in titles
        oakland = [a.title for a in await app.news("Oakland, CA")]
        assert "Vendor launches facial recognition camera" not in oakland
        assert oakland[0] == "Oakland City Council votes to ban facial recognition"
    finally:
        await store.close()


async def test_lists_of_articles_skip_their_other_urls_and_one_article_has_them(
    tmp_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(tmp_path / "variants.db") as store:
        await Banwatch(store, corpus_dir).ingest()
        # The seed story that arrived under an AMP URL too.
        [found] = await store.search_articles("Zuckerberg")
        [listed] = [a for a in await store.latest_articles(limit=50) if a.id == found.id]
        whole = await store.get_article(found.id)
        assert whole is not None and any("amp" in url for url in whole.variants)
        assert found.variants == [] and listed.variants == []
        assert (found.title, found.url, found.extraction) == (
            whole.title,
            whole.url,
            whole.extraction,
        )
